"""End-to-end checks of zkinfer on ONNX models against onnxruntime (a float implementation we did not write).

Builds models with onnx.helper (and takes the bundled digits models), then for each: `zkinfer compile` with
calibration samples, `setup`, and for every sample `prove` and `verify`, comparing zkinfer's decoded output with
onnxruntime's: the argmax must be identical and the absolute error within the worst-case bound the compiler
reports in compiled.json. Then malformed and unsupported models and bad inputs must exit with code 2 and leave
nothing behind. Run by Tests/run.sh:  python onnx_models.py ZKINFER_BINARY REPOSITORY_ROOT
Prints one line per check and closes with "N passed, N failed".
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from light_poseidon_python import poseidon_hash_bytes
from onnx import TensorProto, helper, numpy_helper

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def commitment_of(parameters):
    """The README's recipe, computed with light-poseidon: h0 = Poseidon([n]), then Poseidon([h, up to 11 parameters])."""
    encode = lambda v: (v % R).to_bytes(32, "big")
    digest = int(poseidon_hash_bytes([encode(len(parameters))]), 16)
    for start in range(0, len(parameters), 11):
        digest = int(poseidon_hash_bytes([encode(digest)] + [encode(p) for p in parameters[start:start + 11]]), 16)
    return str(digest)


def committed_parameters(compiled):
    """Every committed parameter tensor's quantized values from compiled.json, in the compiler's order."""
    return [p for tensor in compiled["model"]["parameters"] for p in tensor["values"]]

ZKINFER, ROOT = sys.argv[1], sys.argv[2]
WORK = tempfile.mkdtemp(prefix="zkinfer-onnx-")
results = []
rng = np.random.RandomState(1122)


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok   " if condition else "FAIL ") + name + (f" ({detail})" if detail and not condition else ""), flush=True)
    return bool(condition)


def zk(*args):
    run = subprocess.run([ZKINFER, *map(str, args)], capture_output=True, text=True)
    return run.returncode, run.stdout + run.stderr


def init(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def save(name, nodes, initializers, input_shape, output_shape, opset=13):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, output_shape)], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)
    onnx.checker.check_model(model)
    path = os.path.join(WORK, name + ".onnx")
    onnx.save(model, path)
    return path


def weights(*shape, scale=None):
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    return rng.normal(0, scale or 1 / np.sqrt(fan_in), shape).astype(np.float32)


def mlp(name="mlp"):
    nodes = [helper.make_node("Gemm", ["input", "w1", "b1"], ["h"], transB=1), helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("Gemm", ["r", "w2", "b2"], ["output"], transB=1)]
    inits = [init("w1", weights(16, 20)), init("b1", weights(16, scale=0.1)), init("w2", weights(5, 16)), init("b2", weights(5, scale=0.1))]
    return save(name, nodes, inits, [1, 20], [1, 5]), [1, 20]


def cnn():
    nodes = [
        helper.make_node("Conv", ["input", "cw", "cb"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("BatchNormalization", ["c", "g", "beta", "mean", "var"], ["n"], epsilon=1e-5),
        helper.make_node("Relu", ["n"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], axis=1),
        helper.make_node("MatMul", ["f", "w"], ["m"]),
        helper.make_node("Add", ["m", "b"], ["output"]),
    ]
    inits = [init("cw", weights(3, 1, 3, 3)), init("cb", weights(3, scale=0.1)), init("g", rng.uniform(0.5, 1.5, 3)),
             init("beta", weights(3, scale=0.1)), init("mean", weights(3, scale=0.1)), init("var", rng.uniform(0.5, 1.5, 3)),
             init("w", weights(48, 4, scale=0.2)), init("b", weights(4, scale=0.1))]
    return save("cnn", nodes, inits, [1, 1, 8, 8], [1, 4]), [1, 1, 8, 8]


def activations():
    nodes = [
        helper.make_node("Conv", ["input", "cw"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Tanh", ["c"], ["t"]),
        helper.make_node("Conv", ["t", "cw2", "cb2"], ["c2"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["t", "c2"], ["res"]),
        helper.make_node("AveragePool", ["res"], ["a"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("GlobalAveragePool", ["a"], ["g"]),
        helper.make_node("Reshape", ["g", "shape"], ["flat"]),
        helper.make_node("Gemm", ["flat", "w", "b"], ["h"], transB=1),
        helper.make_node("Sigmoid", ["h"], ["s"]),
        helper.make_node("Gemm", ["s", "w2", "b2"], ["logits"], transB=1),
    ]
    inits = [init("cw", weights(2, 1, 3, 3)), init("cw2", weights(2, 2, 3, 3)), init("cb2", weights(2, scale=0.1)),
             numpy_helper.from_array(np.array([1, -1], dtype=np.int64), "shape"),
             init("w", weights(6, 2, scale=1.0)), init("b", weights(6, scale=0.1)), init("w2", weights(3, 6, scale=1.0)), init("b2", weights(3, scale=0.1))]
    # The same graph twice: ending in Softmax (zkinfer proves the probabilities, or with --final-softmax logits the logits)
    # and without it (onnxruntime's logits, the reference for --final-softmax logits).
    logits = [n for n in nodes]
    logits[-1] = helper.make_node("Gemm", ["s", "w2", "b2"], ["output"], transB=1)
    reference = save("activations-logits", logits, inits, [1, 1, 6, 6], [1, 3])
    softmax = save("activations", nodes + [helper.make_node("Softmax", ["logits"], ["output"], axis=1)], inits, [1, 1, 6, 6], [1, 3])
    return softmax, [1, 1, 6, 6], reference


def lpnorm():
    # Gemm 16 -> 6, then LpNormalization (p = 2) along the features: the argmax survives the positive scaling.
    nodes = [helper.make_node("Gemm", ["input", "w", "b"], ["h"], transB=1),
             helper.make_node("LpNormalization", ["h"], ["output"], axis=1, p=2)]
    inits = [init("w", weights(6, 16, scale=1.0)), init("b", weights(6, scale=0.1))]
    return save("lpnorm", nodes, inits, [1, 16], [1, 6]), [1, 16]


def run_model(name, path, shape, samples, reference=None, options=()):
    session = ort.InferenceSession(reference or path, providers=["CPUExecutionProvider"])
    out = os.path.join(WORK, name)
    samples_path = os.path.join(WORK, name + "-samples.json")
    with open(samples_path, "w") as handle:
        json.dump([s.reshape(-1).tolist() for s in samples], handle)
    code, text = zk("compile", path, "-o", out, "--calibration", samples_path, "--input-range", "0,1", *options)
    check(f"{name}: compile", code == 0, text[-400:])
    if code != 0:
        return
    code, text = zk("setup", out)
    check(f"{name}: setup", code == 0, text[-400:])
    compiled = json.load(open(os.path.join(out, "compiled.json")))
    model = compiled["model"]
    bound = model["outputs"][0]["errorBound"]
    reported = compiled["calibration"]["chosen"]["maximumAbsoluteError"]
    worst, agree = 0.0, 0
    for index, sample in enumerate(samples):
        input_path = os.path.join(WORK, f"{name}-input-{index}.json")
        with open(input_path, "w") as handle:
            json.dump({"input_data": [sample.reshape(-1).tolist()]} if index % 2 else sample.reshape(-1).tolist(), handle)
        code, text = zk("prove", out, "--input", input_path)
        if code != 0:
            check(f"{name}: prove sample {index}", False, text[-400:])
            return
        code, text = zk("verify", out)
        if code != 0:
            check(f"{name}: verify sample {index}", False, text[-400:])
            return
        decoded = json.load(open(os.path.join(out, "output.json")))
        feeds = {session.get_inputs()[0].name: sample.reshape(shape).astype(np.float32)}
        outputs = session.run(None, feeds)[0].reshape(-1)
        error = float(np.max(np.abs(np.array(decoded["output"]) - outputs)))
        worst = max(worst, error)
        agree += int(decoded["predictedClass"] == int(np.argmax(outputs)))
    check(f"{name}: argmax identical to onnxruntime on all {len(samples)} samples", agree == len(samples), f"{agree}/{len(samples)}")
    check(f"{name}: error {worst:.5f} within the compiler's bound {bound:.5f}", worst <= bound + 1e-6)
    check(f"{name}: calibration's reported error {reported:.5f} within the bound", reported <= bound + 1e-6)
    code, _ = zk("verify", out, "--expect-output=" + ",".join(str(v) for v in json.load(open(os.path.join(out, "output.json")))["output"]))
    check(f"{name}: verify --expect-output accepts the proved output", code == 0)
    forged = json.load(open(os.path.join(out, "output.json")))["output"]
    forged[0] += 1
    code, _ = zk("verify", out, "--expect-output=" + ",".join(str(v) for v in forged))
    check(f"{name}: verify --expect-output rejects another output (exit 1)", code == 1, f"exit {code}")


def digits(name):
    directory = os.path.join(ROOT, "Circuits", name)
    samples = [np.array(s, dtype=np.float32) for s in json.load(open(os.path.join(directory, "samples.json")))]
    shape = [1, 64] if name == "digits-mlp" else [1, 1, 8, 8]
    run_model(name, os.path.join(directory, "model.onnx"), shape, samples)


def expect_rejected(name, args, code_expected, text_expected, directory=None):
    code, text = zk(*args)
    ok = code == code_expected and text_expected in text
    if directory is not None:
        leftovers = [f for f in os.listdir(directory)] if os.path.isdir(directory) else []
        ok = ok and not leftovers
        text += f" leftovers={leftovers}"
    check(name, ok, f"exit {code}: {text.strip()[-300:]}")


def bad_inputs():
    path, shape = mlp()
    out = os.path.join(WORK, "bad")
    junk = os.path.join(WORK, "junk.onnx")
    with open(junk, "wb") as handle:
        handle.write(b"\x08\x07garbage that is not protobuf\xff\xff")
    expect_rejected("malformed ONNX exits 2, writes nothing", ["compile", junk, "-o", out], 2, "junk.onnx", out)
    lstm = save("unsupported", [helper.make_node("Relu", ["input"], ["r"]), helper.make_node("Softsign", ["r"], ["output"])], [], [1, 4], [1, 4])
    expect_rejected("unsupported op exits 2 and names node and op", ["compile", lstm, "-o", out], 2, "unsupported op type 'Softsign'", out)
    linear = save("linear-resize", [helper.make_node("Resize", ["input", "", "scales"], ["output"], mode="linear")],
                  [init("scales", [1, 1, 2, 2])], [1, 2, 3, 3], [1, 2, 6, 6])
    expect_rejected("unsupported attribute exits 2 and names it", ["compile", linear, "-o", out], 2, "attribute 'mode' is not supported", out)
    expect_rejected("opset 5 is refused", ["compile", save("old", [helper.make_node("Relu", ["input"], ["output"])], [], [1, 4], [1, 4], opset=5), "-o", out],
                    2, "opset 5", out)
    good = os.path.join(WORK, "good")
    code, text = zk("compile", path, "-o", good, "--input-range", "0,1")
    code2, _ = zk("setup", good)
    check("bad-input model compiles and sets up", code == 0 and code2 == 0, text[-300:])
    for label, content, message in [
        ("wrong shape", json.dumps([0.5] * 7), "has 7 values"),
        ("non-numeric", json.dumps(["a"] * 20), "expected numbers"),
        ("out of range", json.dumps([5.0] * 20), "outside its range"),
        ("not JSON", "{{{", "is not JSON"),
    ]:
        input_path = os.path.join(WORK, f"bad-{label}.json")
        with open(input_path, "w") as handle:
            handle.write(content)
        before = sorted(os.listdir(good))
        code, text = zk("prove", good, "--input", input_path)
        check(f"prove with a {label} input exits 2 with a message, nothing new written",
              code == 2 and message in text and sorted(os.listdir(good)) == before, f"exit {code}: {text.strip()[-200:]}")
    broken = os.path.join(WORK, "broken")
    shutil.copytree(good, broken)
    with open(os.path.join(broken, "compiled.json"), "w") as handle:
        handle.write('{"format": "zkinfer-compiled/1", "model": ')
    valid_input = os.path.join(WORK, "valid-input.json")
    with open(valid_input, "w") as handle:
        json.dump([0.5] * 20, handle)
    code, text = zk("prove", broken, "--input", valid_input)
    check("prove with a truncated compiled.json exits 2 naming it", code == 2 and "compiled.json" in text, f"exit {code}: {text.strip()[-200:]}")


def hashed_weights():
    """Retraining reuses the keys: a second set of weights proves under the first setup, with another commitment."""
    first, shape = mlp("hashed-a")
    second, _ = mlp("hashed-b")
    out = os.path.join(WORK, "hashed")
    code, text = zk("compile", first, "-o", out, "--weights", "hashed", "--input-range", "0,1")
    check("hashed: compile", code == 0, text[-300:])
    code, text = zk("setup", out)
    check("hashed: setup", code == 0, text[-300:])
    zkey = open(os.path.join(out, "circuit.zkey"), "rb").read()
    compiled = json.load(open(os.path.join(out, "compiled.json")))
    parameters = committed_parameters(compiled)
    check(f"hashed: light-poseidon recomputes the commitment of {len(parameters)} parameters",
          len(parameters) == 16 * 20 + 16 + 5 * 16 + 5 and commitment_of(parameters) == compiled["weightCommitment"])
    input_path = os.path.join(WORK, "hashed-input.json")
    with open(input_path, "w") as handle:
        json.dump(rng.uniform(0, 1, 20).tolist(), handle)
    commitments = []
    for label, weights in [("original", None), ("retrained", second)]:
        code, text = zk("prove", out, "--input", input_path, *(["--weights", weights] if weights else []))
        check(f"hashed: prove with the {label} weights and the same keys", code == 0, text[-300:])
        commitment = json.load(open(os.path.join(out, "output.json")))["weightCommitment"]
        commitments.append(commitment)
        public = json.load(open(os.path.join(out, "public.json")))
        check(f"hashed: the {label} commitment is the last public signal", public[-1] == commitment)
        if weights is None:
            check("hashed: the proof's commitment is light-poseidon's", commitment == commitment_of(parameters))
        code, _ = zk("verify", out, "--commitment", commitment)
        check(f"hashed: the {label} proof verifies under its commitment", code == 0)
        session = ort.InferenceSession(weights or first, providers=["CPUExecutionProvider"])
        expected = session.run(None, {"input": np.array(json.load(open(input_path)), dtype=np.float32).reshape(shape)})[0].reshape(-1)
        decoded = json.load(open(os.path.join(out, "output.json")))
        check(f"hashed: the {label} output matches onnxruntime's argmax", decoded["predictedClass"] == int(np.argmax(expected)))
    code, _ = zk("verify", out, "--commitment", commitments[0])
    check("hashed: the retrained proof does not verify under the original commitment (exit 1)", code == 1, f"exit {code}")
    check("hashed: the two commitments differ", commitments[0] != commitments[1])
    check("hashed: the proving key was not touched", open(os.path.join(out, "circuit.zkey"), "rb").read() == zkey)
    other, _ = cnn()
    code, text = zk("prove", out, "--input", input_path, "--weights", other)
    check("hashed: another architecture is refused (exit 2)", code == 2 and "architecture" in text, text[-300:])
    # A model compiled with its final Softmax dropped rebuilds the same graph from the new weights file.
    logits = os.path.join(WORK, "hashed-logits")
    softmax_model = os.path.join(WORK, "activations.onnx")
    code, text = zk("compile", softmax_model, "-o", logits, "--weights", "hashed", "--final-softmax", "logits", "--input-range", "0,1")
    check("hashed: compile with --final-softmax logits", code == 0, text[-300:])
    code, text = zk("setup", logits)
    activation_input = os.path.join(WORK, "hashed-logits-input.json")
    with open(activation_input, "w") as handle:
        json.dump(rng.uniform(0, 1, 36).tolist(), handle)
    code, text = zk("prove", logits, "--input", activation_input, "--weights", softmax_model)
    check("hashed: --weights proves a --final-softmax logits model (same graph rebuilt)", code == 0, text[-300:])


def recurrent(kind, direction="forward", linear_before_reset=0, layout=0, initial=False):
    """One RNN, GRU or LSTM layer (hidden 16, sequence 8, input 4, batch 1) with random weights, made with onnx.helper;
    the output is Y (every step's hidden state), so each step's error shows."""
    gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    hidden, sequence, width = 16, 8, 4
    directions = 2 if direction == "bidirectional" else 1
    inputs = ["input", "W", "R", "B"]
    inits = [init("W", weights(directions, gates * hidden, width, scale=0.5)), init("R", weights(directions, gates * hidden, hidden, scale=0.3)),
             init("B", weights(directions, 2 * gates * hidden, scale=0.1))]
    if initial:
        inputs += ["", "h0"] + (["c0"] if kind == "LSTM" else [])
        inits += [init("h0", weights(directions, 1, hidden, scale=0.2))] + ([init("c0", weights(directions, 1, hidden, scale=0.2))] if kind == "LSTM" else [])
    attributes = {"hidden_size": hidden, "direction": direction}
    if kind == "GRU":
        attributes["linear_before_reset"] = linear_before_reset
    shape = [sequence, 1, width] if layout == 0 else [1, sequence, width]
    if layout:
        attributes["layout"] = 1
    nodes = [helper.make_node(kind, inputs, ["output"], **attributes)]
    output_shape = [sequence, directions, 1, hidden] if layout == 0 else [1, sequence, directions, hidden]
    name = f"{kind.lower()}-{direction}" + (f"-lbr{linear_before_reset}" if kind == "GRU" else "") + ("-layout1" if layout else "") + ("-h0" if initial else "")
    return name, save(name, nodes, inits, shape, output_shape, opset=14), shape


def run_within_bound(name, path, shape, samples, reference_evaluator=False):
    """Compile (calibrated on the samples), set up, prove and verify each sample; the decoded output within the
    compiler's bound of onnxruntime's (or of onnx.reference's, for what onnxruntime lacks: recurrent layout 1)."""
    if reference_evaluator:
        from onnx.reference import ReferenceEvaluator
        session = ReferenceEvaluator(path)
    else:
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    out = os.path.join(WORK, name)
    samples_path = os.path.join(WORK, name + "-samples.json")
    with open(samples_path, "w") as handle:
        json.dump([s.reshape(-1).tolist() for s in samples], handle)
    code, text = zk("compile", path, "-o", out, "--calibration", samples_path, "--input-range", "0,1")
    if not check(f"{name}: compile", code == 0, text[-400:]):
        return
    code, text = zk("setup", out)
    check(f"{name}: setup", code == 0, text[-400:])
    bound = json.load(open(os.path.join(out, "compiled.json")))["model"]["outputs"][0]["errorBound"]
    worst = 0.0
    for index, sample in enumerate(samples):
        input_path = os.path.join(WORK, f"{name}-input-{index}.json")
        with open(input_path, "w") as handle:
            json.dump(sample.reshape(-1).tolist(), handle)
        code, text = zk("prove", out, "--input", input_path)
        if not check(f"{name}: prove sample {index}", code == 0, text[-400:]):
            return
        code, text = zk("verify", out)
        check(f"{name}: verify sample {index}", code == 0, text[-400:])
        decoded = np.array(json.load(open(os.path.join(out, "output.json")))["outputs"][0]["values"], dtype=np.float64).reshape(-1)
        expected = np.asarray(session.run(None, {"input": sample.reshape(shape).astype(np.float32)})[0]).reshape(-1)
        worst = max(worst, float(np.max(np.abs(decoded - expected))))
    check(f"{name}: error {worst:.5f} within the compiler's bound {bound:.5f} on {len(samples)} samples", worst <= bound + 1e-6)


def topk():
    # Gemm 12 -> 10, then the 3 largest (values and indices); the output is the values.
    nodes = [helper.make_node("Gemm", ["input", "w", "b"], ["h"], transB=1),
             helper.make_node("TopK", ["h", "k"], ["output", "indices"], axis=1)]
    inits = [init("w", weights(10, 12, scale=1.0)), init("b", weights(10, scale=0.1)),
             numpy_helper.from_array(np.array([3], dtype=np.int64), "k")]
    return save("topk", nodes, inits, [1, 12], [1, 3]), [1, 12]


samples = lambda shape, n=5: [rng.uniform(0, 1, shape).astype(np.float32) for _ in range(n)]
path, shape = mlp()
run_model("mlp", path, shape, samples(shape))
path, shape = cnn()
run_model("cnn", path, shape, samples(shape))
path, shape, reference = activations()
run_model("activations", path, shape, samples(shape))
run_model("activations-logits", path, shape, samples(shape), reference=reference, options=("--final-softmax", "logits"))
path, shape = lpnorm()
run_model("lpnorm", path, shape, samples(shape))
for name, path, shape in [recurrent("LSTM"), recurrent("LSTM", "bidirectional", initial=True), recurrent("GRU", linear_before_reset=1),
                          recurrent("GRU", "reverse"), recurrent("RNN", "bidirectional")]:
    run_within_bound(name, path, shape, samples(shape))
name, path, shape = recurrent("GRU", "reverse", layout=1)
run_within_bound(name, path, shape, samples(shape), reference_evaluator=True)
path, shape = topk()
run_within_bound("topk", path, shape, samples(shape))
digits("digits-mlp")
digits("digits-cnn")
bad_inputs()
hashed_weights()
passed = sum(results)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
