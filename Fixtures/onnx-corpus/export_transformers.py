"""Exports the transformer half of the ONNX corpus (see README.md): a TransformerEncoderLayer, a nanoGPT-style
decoder and a ViT-style classifier, each with both PyTorch exporters, plus their samples.

  encoder   torch.nn.TransformerEncoderLayer(d_model 32, 4 heads, feed-forward 64, batch_first), input [1, 8, 32]
  gpt       2 blocks, vocabulary 64, context 16, width 32, 4 heads, token and position embeddings, causal mask,
            GELU MLP, LayerNorm, softmax over the vocabulary; input token ids [1, 16] (int64)
  vit       8x8 digits: patch embedding by a 2x2/2 Conv (16 patches), class token, position embedding, one
            encoder block (pre-norm), LayerNorm, Linear 10
  sdpa      causal self-attention through F.scaled_dot_product_attention(is_causal=True), 2 heads of 8, and an MLP
            with GPT-2's tanh GELU; input [1, 8, 16]

Same conventions as export_torch.py (whose helpers this imports): TorchScript at opset 17 (NAME.torchscript.onnx) and
dynamo at its default opset (NAME.dynamo.onnx), batch 1 static here (attention reshapes use the batch), doc strings
stripped, checked with onnx.checker. Usage (from this folder, in the venv of requirements-torch.txt):
    python export_transformers.py [--out DIR] [--only NAME]
"""

import argparse
import json
import math
import os

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
import torch.nn.functional as F

from export_torch import HERE, TORCHSCRIPT_OPSET, TOLERANCE, finalize, margin

torch.set_num_threads(1)
SAMPLES = 8


class CausalSelfAttention(nn.Module):
    def __init__(self, width, heads, context):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.register_buffer("mask", torch.tril(torch.ones(context, context)).view(1, 1, context, context))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=2)
        q = q.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        k = k.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, width, heads, context):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = CausalSelfAttention(width, heads, context)
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocabulary=64, context=16, width=32, heads=4, layers=2):
        super().__init__()
        self.token = nn.Embedding(vocabulary, width)
        self.position = nn.Embedding(context, width)
        self.blocks = nn.Sequential(*[Block(width, heads, context) for _ in range(layers)])
        self.ln = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocabulary, bias=False)

    def logits(self, ids):
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.token(ids) + self.position(positions)
        return self.head(self.ln(self.blocks(x)))

    def forward(self, ids):
        return F.softmax(self.logits(ids), dim=-1)


class ViT(nn.Module):
    def __init__(self, width=32, heads=4, classes=10):
        super().__init__()
        self.patch = nn.Conv2d(1, width, 2, stride=2)
        self.cls = nn.Parameter(torch.randn(1, 1, width) * 0.1)
        self.position = nn.Parameter(torch.randn(1, 17, width) * 0.1)
        self.encoder = nn.TransformerEncoderLayer(width, heads, 64, dropout=0.0, batch_first=True, norm_first=True)
        self.ln = nn.LayerNorm(width)
        self.head = nn.Linear(width, classes)

    def forward(self, x):
        patches = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), patches], dim=1) + self.position
        x = self.encoder(x)
        return self.head(self.ln(x[:, 0]))


class ScaledDotProductBlock(nn.Module):
    def __init__(self, width=16, heads=2):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.mlp = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(approximate="tanh"), nn.Linear(2 * width, width))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in self.qkv(x).split(c, dim=2))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.mlp(x)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True)

    def forward(self, x):
        return self.layer(x)


def build(name):
    torch.manual_seed(1234)
    rng = np.random.RandomState(1234)
    if name == "encoder":
        model = Encoder()
        samples = [rng.uniform(-1, 1, (1, 8, 32)).astype(np.float32) for _ in range(SAMPLES)]
        return model, (torch.tensor(samples[0]),), samples, False
    if name == "sdpa":
        model = ScaledDotProductBlock()
        samples = [rng.uniform(-1, 1, (1, 8, 16)).astype(np.float32) for _ in range(SAMPLES)]
        return model, (torch.tensor(samples[0]),), samples, False
    if name == "gpt":
        model = GPT()
        # Sequences counting up by a per-sequence stride modulo 64: the next token follows from the last two.
        def sequences(count, generator):
            starts = generator.randint(0, 64, count)
            strides = generator.randint(1, 5, count)
            return np.array([(s + d * np.arange(17)) % 64 for s, d in zip(starts, strides)], dtype=np.int64)
        data = torch.tensor(sequences(4000, rng))
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        model.train()
        for step in range(600):
            batch = data[torch.randint(0, len(data), (64,), generator=torch.Generator().manual_seed(step))]
            loss = F.cross_entropy(model.logits(batch[:, :16]).reshape(-1, 64), batch[:, 1:].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        print(f"  gpt: final loss {loss.item():.3f}")
        test = sequences(64, np.random.RandomState(77))[:, :16]
        return model, (torch.tensor(test[:1]),), [test[i:i + 1] for i in range(len(test))], True
    if name == "vit":
        from sklearn.datasets import load_digits
        digits = load_digits()
        images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
        labels = torch.tensor(digits.target, dtype=torch.long)
        model = ViT()
        order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(7))
        train, test = order[:1500], order[1500:]
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        model.train()
        for epoch in range(15):
            perm = train[torch.randperm(len(train), generator=torch.Generator().manual_seed(epoch))]
            for start in range(0, len(perm), 64):
                idx = perm[start:start + 64]
                loss = F.cross_entropy(model(images[idx]), labels[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(images[test]).argmax(1) == labels[test]).float().mean().item()
        print(f"  vit: held-out accuracy {accuracy:.3f}")
        return model, (images[:1],), [images[i:i + 1].numpy() for i in test.tolist()], True
    raise ValueError(name)


MODELS = ["encoder", "gpt", "vit", "sdpa"]


def export(model, name, example, out):
    paths = {}
    path = os.path.join(out, f"{name}.torchscript.onnx")
    torch.onnx.export(model, example, path, dynamo=False, opset_version=TORCHSCRIPT_OPSET,
                      input_names=["input"], output_names=["output"])
    paths["torchscript"] = path
    path = os.path.join(out, f"{name}.dynamo.onnx")
    program = torch.onnx.export(model, example, dynamo=True, input_names=["input"], output_names=["output"],
                                external_data=False)
    program.save(path, external_data=False)
    paths["dynamo"] = path
    for path in paths.values():
        finalize(path)
    return paths


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=HERE)
    parser.add_argument("--only")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, onnx {onnx.__version__}, onnxruntime {ort.__version__}")
    for name in MODELS:
        if args.only and args.only != name:
            continue
        print(name)
        model, example, candidates, classifier = build(name)
        paths = export(model, name, example, args.out)
        sessions = {kind: ort.InferenceSession(path, providers=["CPUExecutionProvider"]) for kind, path in paths.items()}
        chosen = []
        for candidate in candidates:
            with torch.no_grad():
                expected = model(torch.tensor(candidate)).numpy()
            outputs = [session.run(None, {"input": candidate})[0] for session in sessions.values()]
            assert all(np.max(np.abs(o - expected)) < TOLERANCE for o in outputs), f"{name}: onnxruntime differs from torch"
            # Classifiers: a clear top-1 on every row (the last axis), so a small fixed-point error cannot flip it.
            if classifier and min(margin(row) for row in outputs[0].reshape(-1, outputs[0].shape[-1])) < 0.10:
                continue
            chosen.append(candidate)
            if len(chosen) == SAMPLES:
                break
        assert len(chosen) == SAMPLES, f"{name}: only {len(chosen)} samples with a clear margin"
        values = [c.reshape(-1).tolist() if c.dtype == np.int64 else [round(float(v), 4) for v in c.reshape(-1)] for c in chosen]
        with open(os.path.join(args.out, f"{name}.samples.json"), "w") as f:
            json.dump(values, f)
        for kind, path in paths.items():
            m = onnx.load(path)
            print(f"  {os.path.basename(path)}: opset {m.opset_import[0].version}, {len(m.graph.node)} nodes, "
                  f"ops {sorted(set(n.op_type for n in m.graph.node))}")


if __name__ == "__main__":
    main()
