#!/usr/bin/env python3
"""Build the two benchmark models (seeded random weights) and their inputs.

  mlp.onnx  input [1,784] -> Gemm(transB=1) 784->128 -> Relu -> Gemm(transB=1) 128->10 -> [1,10]
  cnn.onnx  input [1,1,28,28] -> Conv 1->4 3x3 (no padding, stride 1) -> Relu -> Flatten
            -> Gemm(transB=1) 2704->10 -> [1,10]

Weights are normal(0, 1/sqrt(fan_in)), biases normal(0, 0.1), inputs uniform in [0, 1); all from
numpy's RandomState with fixed seeds, so the files are the same on every run. ONNX is built with
onnx.helper, opset 13.

Writes into OUTDIR: mlp.onnx, cnn.onnx, and EZKL-format inputs mlp_input.json, cnn_input.json
({"input_data": [[...flat floats...]]}).

usage: make_models.py OUTDIR
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20240601


def _f32(a):
    return np.ascontiguousarray(a, dtype=np.float32)


def _save(nodes, inits, in_shape, name, path):
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 10])],
        initializer=[numpy_helper.from_array(_f32(v), k) for k, v in inits.items()],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="zkinfer-bench"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def make_mlp(rng, path):
    inits = {
        "W1": rng.normal(0.0, 1.0 / np.sqrt(784), (128, 784)),
        "B1": rng.normal(0.0, 0.1, 128),
        "W2": rng.normal(0.0, 1.0 / np.sqrt(128), (10, 128)),
        "B2": rng.normal(0.0, 0.1, 10),
    }
    nodes = [
        helper.make_node("Gemm", ["input", "W1", "B1"], ["h1"], name="fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("Gemm", ["a1", "W2", "B2"], ["output"], name="fc2", transB=1),
    ]
    _save(nodes, inits, [1, 784], "bench_mlp", path)


def make_cnn(rng, path):
    inits = {
        "conv_W": rng.normal(0.0, 1.0 / np.sqrt(9), (4, 1, 3, 3)),
        "conv_B": rng.normal(0.0, 0.1, 4),
        "fc_W": rng.normal(0.0, 1.0 / np.sqrt(4 * 26 * 26), (10, 4 * 26 * 26)),
        "fc_B": rng.normal(0.0, 0.1, 10),
    }
    nodes = [
        helper.make_node("Conv", ["input", "conv_W", "conv_B"], ["conv"], name="conv1",
                         kernel_shape=[3, 3], pads=[0, 0, 0, 0], strides=[1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"], name="relu1"),
        helper.make_node("Flatten", ["relu"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc_W", "fc_B"], ["output"], name="fc", transB=1),
    ]
    _save(nodes, inits, [1, 1, 28, 28], "bench_cnn", path)


def write_input(rng, n, path):
    x = rng.uniform(0.0, 1.0, n).astype(np.float32)
    with open(path, "w") as f:
        json.dump({"input_data": [[float(v) for v in x]]}, f)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    make_mlp(np.random.RandomState(SEED), os.path.join(args.outdir, "mlp.onnx"))
    make_cnn(np.random.RandomState(SEED + 1), os.path.join(args.outdir, "cnn.onnx"))
    write_input(np.random.RandomState(SEED + 2), 784, os.path.join(args.outdir, "mlp_input.json"))
    write_input(np.random.RandomState(SEED + 3), 784, os.path.join(args.outdir, "cnn_input.json"))
    print(f"wrote mlp.onnx, cnn.onnx, mlp_input.json, cnn_input.json to {args.outdir}")


if __name__ == "__main__":
    main()
