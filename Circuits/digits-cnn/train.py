#!/usr/bin/env python3
"""Train the bundled digits CNN with plain numpy and export it to ONNX.

Network (input [1,1,8,8]):
  Conv 1->4, 3x3, pads 1, stride 1 -> Relu -> MaxPool 2x2 stride 2 -> Flatten -> Gemm(transB=1) -> 10
Forward and backward passes are written by hand below; training is Adam on softmax
cross-entropy, mini-batches, seeded, single pass over a fixed number of epochs.

Data: scikit-learn's bundled 8x8 digits (sklearn.datasets.load_digits, no download),
pixels scaled to [0, 1] by dividing by 16. Split: seeded shuffle, last 20% held out
(the same split as ../digits-mlp).

Writes, beside this script:
  model.onnx     opset 13, input "input" [1,1,8,8] float, output "logits" [1,10]; onnx.helper only
  samples.json   10 held-out inputs (list of flat lists of 64 floats in [0,1], row-major 8x8)
  input.json     one held-out input (flat list of 64 floats)
  accuracy.json  held-out accuracy measured with onnxruntime, and the sample count
"""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits

SEED = 0
EPOCHS = 30
BATCH = 32
LR = 0.01
C_OUT = 4
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


# ---------------------------------------------------------------- numpy network

def im2col(x):
    """x: [N,8,8] -> [N,64,9]: the 3x3 neighbourhood (zero padded by 1) of each output pixel."""
    n = x.shape[0]
    xp = np.zeros((n, 10, 10), dtype=x.dtype)
    xp[:, 1:9, 1:9] = x
    cols = np.empty((n, 8, 8, 9), dtype=x.dtype)
    for ky in range(3):
        for kx in range(3):
            cols[:, :, :, ky * 3 + kx] = xp[:, ky:ky + 8, kx:kx + 8]
    return cols.reshape(n, 64, 9)


def forward(params, x, keep=False):
    """x: [N,64] flat images. Returns logits [N,10] (and the cache for backward)."""
    wc, bc, wf, bf = params["wc"], params["bc"], params["wf"], params["bf"]
    n = x.shape[0]
    cols = im2col(x.reshape(n, 8, 8))                      # [N,64,9]
    z = cols @ wc.reshape(C_OUT, 9).T + bc                 # [N,64,C]
    z = z.transpose(0, 2, 1).reshape(n, C_OUT, 8, 8)       # [N,C,8,8]
    a = np.maximum(z, 0.0)
    win = a.reshape(n, C_OUT, 4, 2, 4, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, C_OUT, 4, 4, 4)
    arg = win.argmax(axis=-1)                              # [N,C,4,4] index in the 2x2 window
    p = np.take_along_axis(win, arg[..., None], axis=-1)[..., 0]  # [N,C,4,4]
    f = p.reshape(n, C_OUT * 16)                           # Flatten of NCHW
    logits = f @ wf.T + bf
    if not keep:
        return logits
    return logits, (cols, z, arg, f)


def backward(params, cache, dlogits):
    cols, z, arg, f = cache
    n = dlogits.shape[0]
    g = {}
    g["wf"] = dlogits.T @ f
    g["bf"] = dlogits.sum(axis=0)
    dp = (dlogits @ params["wf"]).reshape(n, C_OUT, 4, 4)
    dwin = np.zeros((n, C_OUT, 4, 4, 4), dtype=dp.dtype)
    np.put_along_axis(dwin, arg[..., None], dp[..., None], axis=-1)
    da = dwin.reshape(n, C_OUT, 4, 4, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, C_OUT, 8, 8)
    dz = da * (z > 0)
    dz = dz.reshape(n, C_OUT, 64).transpose(0, 2, 1)       # [N,64,C]
    g["wc"] = np.einsum("npc,npk->ck", dz, cols).reshape(C_OUT, 1, 3, 3)
    g["bc"] = dz.sum(axis=(0, 1))
    return g


def softmax_xent(logits, y):
    m = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(m)
    prob = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(prob[np.arange(len(y)), y] + 1e-12))
    d = prob
    d[np.arange(len(y)), y] -= 1.0
    return loss, d / len(y)


def train(x_tr, y_tr):
    rng = np.random.RandomState(SEED)
    params = {
        "wc": rng.normal(0.0, np.sqrt(2.0 / 9.0), (C_OUT, 1, 3, 3)),
        "bc": np.zeros(C_OUT),
        "wf": rng.normal(0.0, np.sqrt(1.0 / (C_OUT * 16)), (10, C_OUT * 16)),
        "bf": np.zeros(10),
    }
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(v) for k, v in params.items()}
    b1, b2, eps, t = 0.9, 0.999, 1e-8, 0
    xs = x_tr.astype(np.float64)
    for epoch in range(EPOCHS):
        order = rng.permutation(len(xs))
        total = 0.0
        for s in range(0, len(xs), BATCH):
            idx = order[s:s + BATCH]
            logits, cache = forward(params, xs[idx], keep=True)
            loss, d = softmax_xent(logits, y_tr[idx])
            total += loss * len(idx)
            grads = backward(params, cache, d)
            t += 1
            for k in params:
                m[k] = b1 * m[k] + (1 - b1) * grads[k]
                v[k] = b2 * v[k] + (1 - b2) * grads[k] ** 2
                mh = m[k] / (1 - b1 ** t)
                vh = v[k] / (1 - b2 ** t)
                params[k] -= LR * mh / (np.sqrt(vh) + eps)
        if epoch % 10 == 9 or epoch == EPOCHS - 1:
            print(f"  epoch {epoch + 1:3d}  train loss {total / len(xs):.4f}")
    return {k: val.astype(np.float32) for k, val in params.items()}


# ---------------------------------------------------------------- export

def build_onnx(p):
    inits = [
        numpy_helper.from_array(p["wc"], "conv_W"),
        numpy_helper.from_array(p["bc"], "conv_B"),
        numpy_helper.from_array(p["wf"], "fc_W"),
        numpy_helper.from_array(p["bf"], "fc_B"),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv_W", "conv_B"], ["conv"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"], name="relu1"),
        helper.make_node("MaxPool", ["relu"], ["pool"], name="pool1",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["pool"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc_W", "fc_B"], ["logits"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "digits_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        initializer=inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="zkinfer-digits-cnn"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def ort_session(path):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def main():
    x_tr, y_tr, x_te, y_te = load_split()
    params = train(x_tr, y_tr)

    model_path = os.path.join(HERE, "model.onnx")
    onnx.save(build_onnx(params), model_path)

    sess = ort_session(model_path)
    logits = np.concatenate(
        [sess.run(["logits"], {"input": v.reshape(1, 1, 8, 8)})[0] for v in x_te]
    )
    # Reference: the hand-written forward pass, float32 weights accumulated in float64.
    ref = forward({k: val.astype(np.float64) for k, val in params.items()}, x_te.astype(np.float64))
    max_diff = float(np.max(np.abs(logits - ref)))
    assert max_diff <= 1e-5, f"onnxruntime differs from numpy by {max_diff}"
    acc = float(np.mean(logits.argmax(axis=1) == y_te))
    train_acc = float(np.mean(forward(params, x_tr).argmax(axis=1) == y_tr))
    assert acc > 0.90, f"held-out accuracy {acc} is not above 0.90"

    with open(os.path.join(HERE, "accuracy.json"), "w") as f:
        json.dump(
            {
                "test_accuracy": acc,
                "test_samples": int(len(y_te)),
                "train_accuracy": train_acc,
                "train_samples": int(len(y_tr)),
                "max_abs_diff_onnxruntime_vs_numpy": max_diff,
                "seed": SEED,
                "epochs": EPOCHS,
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
        f"digits-cnn: held-out accuracy {acc:.4f} on {len(y_te)} samples "
        f"(train {train_acc:.4f}); ort vs numpy max |diff| {max_diff:.2e}"
    )


if __name__ == "__main__":
    main()
