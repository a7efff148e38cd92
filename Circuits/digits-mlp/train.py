#!/usr/bin/env python3
"""Train the bundled digits MLP (64-32-10, ReLU) and export it to ONNX.

Data: scikit-learn's bundled 8x8 digits (sklearn.datasets.load_digits, no download),
pixels scaled to [0, 1] by dividing by 16. Split: seeded shuffle, last 20% held out.

Writes, beside this script:
  model.onnx     opset 13, input "input" [1,64] float -> Gemm(transB=1) -> Relu -> Gemm(transB=1)
                 -> output "logits" [1,10]; built with onnx.helper only
  samples.json   10 held-out inputs (list of flat lists of 64 floats in [0,1])
  input.json     one held-out input (flat list of 64 floats)
  accuracy.json  held-out accuracy measured with onnxruntime, and the sample count

Deterministic: fixed seeds, single-threaded onnxruntime.
"""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier

SEED = 0
HERE = os.path.dirname(os.path.abspath(__file__))


def load_split():
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    perm = np.random.RandomState(SEED).permutation(len(x))
    x, y = x[perm], y[perm]
    n_test = int(round(0.2 * len(x)))
    n_train = len(x) - n_test
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def build_onnx(w1, b1, w2, b2):
    # Gemm with transB=1 takes B as [out, in], which is the transpose of sklearn's coefs_.
    inits = [
        numpy_helper.from_array(w1.T.astype(np.float32).copy(), "W1"),
        numpy_helper.from_array(b1.astype(np.float32), "B1"),
        numpy_helper.from_array(w2.T.astype(np.float32).copy(), "W2"),
        numpy_helper.from_array(b2.astype(np.float32), "B2"),
    ]
    nodes = [
        helper.make_node("Gemm", ["input", "W1", "B1"], ["h1"], name="fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("Gemm", ["a1", "W2", "B2"], ["logits"], name="fc2", transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "digits_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        initializer=inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="zkinfer-digits-mlp"
    )
    model.ir_version = 8  # readable by older onnxruntime / tract builds too
    onnx.checker.check_model(model)
    return model


def ort_session(path):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def main():
    x_tr, y_tr, x_te, y_te = load_split()

    clf = MLPClassifier(
        hidden_layer_sizes=(32,),
        activation="relu",
        solver="adam",
        alpha=1e-4,
        batch_size=64,
        learning_rate_init=1e-2,
        max_iter=200,
        random_state=SEED,
    )
    clf.fit(x_tr.astype(np.float64), y_tr)

    w1, w2 = [c.astype(np.float32) for c in clf.coefs_]
    b1, b2 = [b.astype(np.float32) for b in clf.intercepts_]

    model_path = os.path.join(HERE, "model.onnx")
    onnx.save(build_onnx(w1, b1, w2, b2), model_path)

    # Reference forward pass in numpy with the exported float32 weights, accumulated in float64
    # so that only onnxruntime's float32 rounding is left in the comparison.
    def np_forward(v):
        v, a, c, b, d = (t.astype(np.float64) for t in (v, w1, b1, w2, b2))
        return np.maximum(v @ a + c, 0.0) @ b + d

    sess = ort_session(model_path)
    logits = np.concatenate([sess.run(["logits"], {"input": v[None, :]})[0] for v in x_te])
    ref = np_forward(x_te)
    max_diff = float(np.max(np.abs(logits - ref)))
    assert max_diff <= 1e-5, f"onnxruntime differs from numpy by {max_diff}"
    # sklearn's own decision agrees with the exported network (float64 vs float32 aside).
    skl_pred = clf.predict(x_te.astype(np.float64))
    ort_pred = logits.argmax(axis=1)
    agree = float(np.mean(skl_pred == ort_pred))

    acc = float(np.mean(ort_pred == y_te))
    train_acc = float(np.mean(np_forward(x_tr).argmax(axis=1) == y_tr))

    with open(os.path.join(HERE, "accuracy.json"), "w") as f:
        json.dump(
            {
                "test_accuracy": acc,
                "test_samples": int(len(y_te)),
                "train_accuracy": train_acc,
                "train_samples": int(len(y_tr)),
                "max_abs_diff_onnxruntime_vs_numpy": max_diff,
                "sklearn_onnxruntime_argmax_agreement": agree,
                "seed": SEED,
            },
            f,
            indent=2,
        )
        f.write("\n")
    samples = [[float(v) for v in row] for row in x_te[:10]]
    with open(os.path.join(HERE, "samples.json"), "w") as f:
        json.dump(samples, f)
        f.write("\n")
    with open(os.path.join(HERE, "input.json"), "w") as f:
        json.dump(samples[0], f)
        f.write("\n")

    print(
        f"digits-mlp: held-out accuracy {acc:.4f} on {len(y_te)} samples "
        f"(train {train_acc:.4f}); ort vs numpy max |diff| {max_diff:.2e}; "
        f"sklearn/ort argmax agreement {agree:.4f}"
    )


if __name__ == "__main__":
    main()
