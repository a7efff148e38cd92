"""Exports the Keras half of the ONNX corpus (see README.md): keras_cnn.tf2onnx.onnx and keras_cnn.samples.json.

keras_cnn: Conv2D 4@3x3 relu on a 12x12x1 channels-last image -> MaxPooling2D 2x2 -> Flatten -> Dense 3, trained for
a few seconds on a synthetic three-class task (smooth random prototypes plus noise, in [0, 1]), converted with
tf2onnx.convert.from_keras at opset 13.

Keras 3 (the tf.keras of TensorFlow >= 2.16) and tf2onnx 1.17: from_keras looks up the model's `output_names`
("keras_tensor_N" for a plain Sequential/functional model) among the concrete function's structured outputs and
fails with KeyError. Returning the output in a dict (keras.Model(inputs, {"output": logits})) makes the structured
outputs a dict and the conversion works; the ONNX graph output is then named after the last layer ("output").

Usage (from this folder, in a venv made from requirements-keras.txt):
    python export_keras.py [--out DIR]
"""

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
import tf2onnx  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 13
SAMPLES = 8
MARGIN = 0.10
TOLERANCE = 1e-4


def prototypes(rng, classes=3, size=12):
    coarse = rng.uniform(0, 1, (classes, 3, 3)).astype(np.float32)
    # Bilinear upscaling of a 3x3 grid to 12x12 (numpy only).
    grid = np.linspace(0, 2, size)
    i0 = np.clip(np.floor(grid).astype(int), 0, 1)
    f = grid - i0
    rows = coarse[:, i0, :] * (1 - f)[None, :, None] + coarse[:, i0 + 1, :] * f[None, :, None]
    protos = rows[:, :, i0] * (1 - f)[None, None, :] + rows[:, :, i0 + 1] * f[None, None, :]
    return protos[..., None]  # channels last: (classes, 12, 12, 1)


def images(rng, protos, count, noise=0.2):
    labels = rng.randint(0, len(protos), count)
    x = np.clip(protos[labels] + rng.normal(0, noise, (count, 12, 12, 1)), 0, 1).astype(np.float32)
    return x, labels


def strip(model):
    model.doc_string = ""
    del model.metadata_props[:]
    model.graph.doc_string = ""
    for node in model.graph.node:
        node.doc_string = ""
        del node.metadata_props[:]
    return model


def margin(logits):
    top = np.sort(logits.reshape(-1))[::-1]
    return (top[0] - top[1]) / max(np.max(np.abs(logits)), 1e-12)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}, tf2onnx {tf2onnx.__version__}, "
          f"onnx {onnx.__version__}, onnxruntime {ort.__version__}")
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(1234)
    rng = np.random.RandomState(1234)

    inputs = keras.Input((12, 12, 1), name="input")
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    logits = keras.layers.Dense(3, name="output")(x)
    model = keras.Model(inputs, {"output": logits}, name="keras_cnn")

    protos = prototypes(rng)
    train_x, train_y = images(rng, protos, 900)
    trainer = keras.Model(inputs, logits)  # same layers, plain output for fit()
    trainer.compile(optimizer=keras.optimizers.Adam(3e-3),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = trainer.fit(train_x, train_y, batch_size=32, epochs=15, verbose=0, shuffle=True)
    print(f"keras_cnn: train accuracy {history.history['accuracy'][-1]:.3f}")

    path = os.path.join(args.out, "keras_cnn.tf2onnx.onnx")
    spec = (tf.TensorSpec((1, 12, 12, 1), tf.float32, name="input"),)
    proto, _ = tf2onnx.convert.from_keras(model, input_signature=spec, opset=OPSET)
    proto = strip(proto)
    onnx.checker.check_model(proto, full_check=True)
    onnx.save(proto, path)

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    test_x, _ = images(rng, protos, 200)
    chosen, counts = [], {}
    for i in range(len(test_x)):
        sample = np.round(test_x[i:i + 1], 4).astype(np.float32)
        expected = model(sample, training=False)["output"].numpy()
        got = session.run(None, {input_name: sample})[0]
        error = float(np.max(np.abs(got - expected)))
        assert error <= TOLERANCE, f"onnxruntime differs from keras by {error}"
        label = int(np.argmax(got))
        if margin(got) < MARGIN or counts.get(label, 0) >= 3:
            continue
        counts[label] = counts.get(label, 0) + 1
        chosen.append(sample)
        if len(chosen) == SAMPLES:
            break
    assert len(chosen) >= 6, f"only {len(chosen)} samples with margin {MARGIN}"
    with open(os.path.join(args.out, "keras_cnn.samples.json"), "w") as handle:
        json.dump([[round(float(v), 4) for v in s.reshape(-1)] for s in chosen], handle, separators=(",", ":"))
        handle.write("\n")
    print(f"  {len(chosen)} samples, classes {sorted(counts.items())}")
    print(f"  {os.path.basename(path)}: {os.path.getsize(path)} bytes, opset {OPSET}")


if __name__ == "__main__":
    sys.exit(main())
