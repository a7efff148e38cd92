"""Writes small-network.json: a hand-sized network in the zkinfer JSON model format that uses every
layer kind the end-to-end test needs (Conv, ReLU, residual Add, MaxPool, AveragePool, Dense, Sigmoid).

Weights come from Python's seeded `random`, so the file is reproducible with no dependencies:
    python3 make_small_network.py
"""
import json
import random

rng = random.Random(20261122)


def tensor(shape, scale):
    count = 1
    for d in shape:
        count *= d
    return {"shape": shape, "values": [round(rng.gauss(0, scale), 6) for _ in range(count)]}


model = {
    "format": "zkinfer-model/1",
    "name": "small-network",
    "input": {"name": "image", "shape": [1, 6, 6], "range": [0, 1]},
    "output": "logits",
    "nodes": [
        {"op": "conv2d", "name": "conv1", "inputs": ["image"], "output": "c1",
         "weight": tensor([2, 1, 3, 3], 0.4), "bias": tensor([2], 0.1), "strides": [1, 1], "pads": [1, 1, 1, 1]},
        {"op": "relu", "name": "relu1", "inputs": ["c1"], "output": "r1"},
        {"op": "conv2d", "name": "conv2", "inputs": ["r1"], "output": "c2",
         "weight": tensor([2, 2, 3, 3], 0.3), "bias": tensor([2], 0.1), "strides": [1, 1], "pads": [1, 1, 1, 1]},
        {"op": "add", "name": "residual", "inputs": ["r1", "c2"], "output": "sum"},
        {"op": "maxpool2d", "name": "pool1", "inputs": ["sum"], "output": "p1", "kernel": [2, 2], "strides": [2, 2]},
        {"op": "averagepool2d", "name": "pool2", "inputs": ["p1"], "output": "p2",
         "kernel": [3, 3], "strides": [1, 1], "pads": [1, 1, 1, 1]},
        {"op": "flatten", "name": "flatten", "inputs": ["p2"], "output": "flat"},
        {"op": "dense", "name": "fc1", "inputs": ["flat"], "output": "h", "weight": tensor([8, 18], 0.4), "bias": tensor([8], 0.1)},
        {"op": "sigmoid", "name": "sigmoid", "inputs": ["h"], "output": "s"},
        {"op": "dense", "name": "fc2", "inputs": ["s"], "output": "logits", "weight": tensor([4, 8], 0.8), "bias": tensor([4], 0.1)},
    ],
}

with open("small-network.json", "w") as f:
    json.dump(model, f, indent=1)
    f.write("\n")
