"""Runs every ONNX backend test case that PyTorch exported through zkinfer and compares the proved outputs.

Purpose
    The onnx wheel ships backend test cases exported from PyTorch under onnx/backend/test/data/pytorch-converted/*
    and onnx/backend/test/data/pytorch-operator/* (117 cases in onnx 1.23.2). Each directory holds model.onnx and
    test_data_set_0/input_N.pb, output_N.pb. For each case, sorted by its label (e.g. pytorch-converted/test_Conv2d),
    this script writes the inputs as zkinfer input JSON, then in a fresh work directory runs

        zkinfer compile model.onnx -o OUT --calibration input.json
                     (the test input is the one calibration sample; a Softmax is proved or refused, never dropped)
        zkinfer setup OUT
        zkinfer prove OUT --input input.json
        zkinfer verify OUT           and   zkinfer verify OUT --json

    and compares OUT/output.json with the expected outputs. Inputs: a single-input model gets a flat JSON array
    (row-major); a model with k > 1 graph inputs (graph inputs that are also initializers do not count) gets
    {"input_data": [[flat input 0], ..., [flat input k-1]]}, one row per graph input in graph-input order.
    output.json is read as {"outputs": [{"name", "shape", "values", "integers", "scale", "proved"}, ...]}, one
    entry per graph output in graph-output order, or the older {"output": [reals]} for a single output. Error
    bounds come from compiled.json: model.outputs[i].errorBound (older: model.outputErrorBound), the constraint
    count from cost.constraints.

Usage
    python onnx_backend_cases.py ZKINFER_BINARY REPO_ROOT [--update] [--only SUBSTRING ...] [--jobs N]
                                 [--keep DIR] [--timeout SECONDS] [--results FILE.json]

    --update     rewrite REPO_ROOT/Tests/Interop/onnx_backend_cases.md from this run (with --only, only the
                 rows of the cases run change)
    --only S     run only the cases whose label contains S (may be repeated)
    --jobs N     run N cases at once (default 1)
    --keep DIR   keep each case's work directory under DIR/<label> (default: a temporary directory, removed)
    --timeout S  limit for each zkinfer command, in seconds (default 300)
    --results F  also write every case's full result (errors, bounds, verify --json, timings) as JSON

    In CI:  .build/onnx-venv/bin/python Tests/Interop/onnx_backend_cases.py .build/release/zkinfer .

Pass criteria
    A case passes when compile, setup and prove exit 0, verify exits 0 (valid proof; verify --json, when it prints
    JSON, must not say otherwise), output.json has one entry per expected output with as many values, and for every
    output max |zkinfer - expected| <= that output's error bound + 1e-6 (integer and bool outputs must be exact).
    Expected values that are NaN (pow and sqrt of negative numbers) are left out of the comparison and counted in
    the notes. A case is refused when compile exits 2 (its status names the op from "op type 'X'" in the message,
    else the message's first line). Anything else is a failure: a timeout, another exit code, an invalid proof,
    a missing or malformed output, an error above its bound.

    Without --update the committed table is the expectation: a case listed as `pass` must pass (anything else
    counts as failed); another case may pass (reported as newly passing: run --update) or be refused. With
    --update, a `pass` case that is now refused is accepted (and named when the table is written). A case that
    neither passes nor is cleanly refused fails regardless: with or without the table, with or without --update.
    Without a table every case just reports. Prints one line per case, a count and the elapsed time, then the
    line "N passed, M failed" (N: cases that behaved as expected, M: failures) and exits 1 when M > 0.
"""

import argparse
import concurrent.futures
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

GROUPS = ("pytorch-converted", "pytorch-operator")
TABLE = os.path.join("Tests", "Interop", "onnx_backend_cases.md")
REGENERATE = ".build/onnx-venv/bin/python Tests/Interop/onnx_backend_cases.py .build/release/zkinfer . --update"
TOLERANCE = 1e-6


# ---------------------------------------------------------------------------------------------------------- cases

def discover():
    """(label, directory) of every PyTorch-exported backend test case in the installed onnx wheel, sorted by label."""
    base = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data")
    cases = []
    for group in GROUPS:
        root = os.path.join(base, group)
        if not os.path.isdir(root):
            continue
        for name in os.listdir(root):
            directory = os.path.join(root, name)
            if os.path.isfile(os.path.join(directory, "model.onnx")):
                cases.append((f"{group}/{name}", directory))
    return sorted(cases)


def numbered(directory, prefix):
    """directory/prefix_N.pb in N order."""
    found = []
    for name in os.listdir(directory) if os.path.isdir(directory) else []:
        match = re.fullmatch(re.escape(prefix) + r"_(\d+)\.pb", name)
        if match:
            found.append((int(match.group(1)), os.path.join(directory, name)))
    return [path for _, path in sorted(found)]


def op_types(graph):
    """The op types of a graph's nodes, subgraphs included."""
    types = set()
    for node in graph.node:
        types.add(node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}")
        for attribute in node.attribute:
            for subgraph in ([attribute.g] if attribute.HasField("g") else []) + list(attribute.graphs):
                types |= op_types(subgraph)
    return types


def describe(directory):
    """What the table and the comparison need from a case: opset, ops, graph inputs and outputs, test data."""
    model = onnx.load(os.path.join(directory, "model.onnx"))
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    initializers = {i.name for i in model.graph.initializer}
    data = os.path.join(directory, "test_data_set_0")
    return {
        "opset": opset,
        "ops": sorted(op_types(model.graph)),
        "inputs": [i.name for i in model.graph.input if i.name not in initializers],
        "outputs": [o.name for o in model.graph.output],
        "input_arrays": [numpy_helper.to_array(onnx.load_tensor(p)) for p in numbered(data, "input")],
        "output_arrays": [numpy_helper.to_array(onnx.load_tensor(p)) for p in numbered(data, "output")],
    }


def input_json(arrays):
    """zkinfer's input format: a flat array for one input, EZKL's input_data (one row per graph input) for several."""
    flat = [np.asarray(a).reshape(-1).tolist() for a in arrays]
    return flat[0] if len(flat) == 1 else {"input_data": flat}


# ------------------------------------------------------------------------------------------------------- commands

def run_command(arguments, cwd, timeout):
    """(exit code or None on timeout, stdout, stdout + stderr, seconds). The command runs in its own process group,
    killed whole on a timeout or an interrupt."""
    start = time.monotonic()
    process = subprocess.Popen(arguments, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               errors="replace", start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        code = process.returncode
    except subprocess.TimeoutExpired:
        kill(process)
        stdout, stderr = process.communicate()
        code = None
    except BaseException:
        kill(process)
        process.communicate()
        raise
    return code, stdout, stdout + stderr, time.monotonic() - start


def kill(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def message_line(text, scrub, otherwise="first"):
    """The message's first 'error:' line (else its first or last line), without colours or machine-specific paths."""
    for old in scrub:
        text = text.replace(old, "")
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"(fatal )?error:", line, flags=re.IGNORECASE)]
    if errors:
        return re.sub(r"^error:\s*", "", errors[0], flags=re.IGNORECASE)
    if not lines:
        return "(no message)"
    return lines[0] if otherwise == "first" else lines[-1]


def short(text, limit=80):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def failed_command(stage, code, text, scrub, timeout):
    if code is None:
        return f"FAIL: {stage}: timeout after {timeout:g} s"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"FAIL: {stage}: killed by {name}: {short(message_line(text, scrub, 'last'), 120)}"
    return f"FAIL: {stage}: exit {code}: {short(message_line(text, scrub, 'last'), 120)}"


# ------------------------------------------------------------------------------------------------------ one case

def run_case(label, directory, work, zkinfer, timeout):
    """Runs one case in `work` (created empty) and returns its result."""
    result = {"case": label, "opset": None, "ops": [], "kind": "fail", "status": "", "constraints": None,
              "errors": [], "bounds": [], "relative": [], "notes": [], "verify": None, "seconds": {}}

    def finish(kind, status):
        result["kind"], result["status"] = kind, status
        return result

    try:
        info = describe(directory)
    except Exception as error:  # an unreadable case is the harness's problem, reported rather than fatal
        return finish("fail", f"FAIL: harness: cannot read the case: {short(str(error))}")
    result["opset"], result["ops"] = info["opset"], info["ops"]
    if len(info["input_arrays"]) != len(info["inputs"]) or not info["input_arrays"]:
        return finish("fail", f"FAIL: harness: {len(info['input_arrays'])} input files for "
                              f"{len(info['inputs'])} graph inputs")
    if len(info["output_arrays"]) != len(info["outputs"]):
        return finish("fail", f"FAIL: harness: {len(info['output_arrays'])} output files for "
                              f"{len(info['outputs'])} graph outputs")

    os.makedirs(work, exist_ok=True)
    model = os.path.join(directory, "model.onnx")
    out = os.path.join(work, "out")
    inputs = os.path.join(work, "input.json")
    with open(inputs, "w") as handle:
        json.dump(input_json(info["input_arrays"]), handle)
    scrub = [directory + os.sep, work + os.sep, directory, work]

    def zk(stage, *arguments):
        code, stdout, text, seconds = run_command([zkinfer, *arguments], work, timeout)
        result["seconds"][stage] = round(seconds, 3)
        return code, stdout, text

    code, _, text = zk("compile", "compile", model, "-o", out, "--calibration", inputs)
    if code == 2:
        match = re.search(r"op type '([A-Za-z0-9_]+)'", text)
        reason = match.group(1) if match else short(message_line(text, scrub), 80)
        result["message"] = short(message_line(text, scrub), 300)
        return finish("refused", f"refused: {reason}")
    if code != 0:
        return finish("fail", failed_command("compile", code, text, scrub, timeout))
    try:
        with open(os.path.join(out, "compiled.json")) as handle:
            compiled = json.load(handle)
    except (OSError, ValueError) as error:
        return finish("fail", f"FAIL: compile: compiled.json unreadable: {short(str(error))}")
    cost = compiled.get("cost") if isinstance(compiled, dict) else None
    result["constraints"] = cost.get("constraints") if isinstance(cost, dict) else None

    for stage, arguments in [("setup", ["setup", out]), ("prove", ["prove", out, "--input", inputs])]:
        code, _, text = zk(stage, *arguments)
        if code != 0:
            return finish("fail", failed_command(stage, code, text, scrub, timeout))

    code, _, text = zk("verify", "verify", out)
    if code == 1:
        return finish("fail", "FAIL: verify: the proof is invalid")
    if code != 0:
        return finish("fail", failed_command("verify", code, text, scrub, timeout))
    code, stdout, _ = zk("verify --json", "verify", out, "--json")
    try:
        result["verify"] = json.loads(stdout)
    except ValueError:
        result["notes"].append("verify --json printed no JSON")
    if isinstance(result["verify"], dict) and result["verify"].get("valid") is not True:
        return finish("fail", f"FAIL: verify --json: {short(json.dumps(result['verify']), 120)} (exit {code})")
    if code != 0:
        return finish("fail", f"FAIL: verify --json: exit {code}")

    try:
        with open(os.path.join(out, "output.json")) as handle:
            decoded = json.load(handle)
        proved = proved_outputs(decoded)
        bounds = error_bounds(compiled)
    except (OSError, ValueError, KeyError, TypeError) as error:
        return finish("fail", f"FAIL: output: {short(str(error), 120)}")
    expected = info["output_arrays"]
    if len(proved) != len(expected):
        return finish("fail", f"FAIL: output: output.json has {len(proved)} outputs, the model {len(expected)}")
    if len(bounds) != len(expected):
        return finish("fail", f"FAIL: output: compiled.json has {len(bounds)} error bounds for {len(expected)} outputs")

    failure = None
    for index, (entry, reference, bound) in enumerate(zip(proved, expected, bounds)):
        problem = compare(index, entry, reference, bound, info["outputs"][index], result)
        failure = failure or problem
    if failure:
        return finish("fail", f"FAIL: output: {failure}")
    return finish("pass", "pass")


def proved_outputs(decoded):
    """output.json's outputs as dicts with name, shape, values (reals), integers, scale."""
    if not isinstance(decoded, dict):
        raise ValueError("output.json is not an object")
    if isinstance(decoded.get("outputs"), list):
        entries = []
        for entry in decoded["outputs"]:
            if not isinstance(entry, dict):
                raise ValueError("output.json: an entry of 'outputs' is not an object")
            values = entry.get("values")
            if values is None and entry.get("integers") is not None and entry.get("scale") is not None:
                values = [v / 2.0 ** entry["scale"] for v in entry["integers"]]
            if not isinstance(values, list):
                raise ValueError(f"output.json: output {entry.get('name')!r} has no values")
            entries.append({"name": entry.get("name"), "shape": entry.get("shape"), "values": values,
                            "integers": entry.get("integers"), "scale": entry.get("scale"),
                            "proved": entry.get("proved")})
        return entries
    if isinstance(decoded.get("output"), list):  # the single-output format of the older compiler
        return [{"name": None, "shape": None, "values": decoded["output"], "integers": decoded.get("integerOutput"),
                 "scale": decoded.get("outputScale"), "proved": None}]
    raise ValueError("output.json has neither 'outputs' nor 'output'")


def error_bounds(compiled):
    model = compiled["model"]
    if isinstance(model.get("outputs"), list):
        return [o.get("errorBound") if isinstance(o, dict) else None for o in model["outputs"]]
    if "outputErrorBound" in model:  # the older compiler: one output, one bound
        return [model["outputErrorBound"]]
    raise KeyError("compiled.json has no output error bound (model.outputs[i].errorBound)")


def compare(index, entry, reference, bound, graph_name, result):
    """Records output `index`'s error and bound in result; returns a failure reason or None."""
    if entry["name"] is not None and entry["name"] != graph_name:
        return f"output {index} is named {entry['name']!r}, the graph's output {index} is {graph_name!r}"
    expected = np.asarray(reference).reshape(-1)
    try:
        got = np.asarray(entry["values"], dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return f"output {index}: values are not numbers"
    if got.size != expected.size:
        return f"output {index} has {got.size} values, expected {expected.size} (shape {list(reference.shape)})"
    shape = entry["shape"]
    if isinstance(shape, list) and all(isinstance(d, int) for d in shape):
        if math.prod(shape) != got.size:
            return f"output {index}: shape {shape} but {got.size} values"
        if list(shape) != list(reference.shape):
            result["notes"].append(f"output {index} shape {shape}, expected {list(reference.shape)}")
    if not np.all(np.isfinite(got)):
        return f"output {index} has non-finite values"

    if expected.dtype.kind in "iub":  # integers and booleans compare exactly
        integers = entry["integers"]
        if entry["scale"] == 0 and isinstance(integers, list) and len(integers) == expected.size:
            mismatches = sum(int(a) != int(b) for a, b in zip(integers, expected.tolist()))
        else:
            mismatches = int(np.sum(got != expected.astype(np.float64)))
        error = float(np.max(np.abs(got - expected.astype(np.float64)))) if expected.size else 0.0
        result["errors"].append(error)
        result["bounds"].append("exact")
        result["relative"].append(relative(error, expected.astype(np.float64)))
        if mismatches:
            return f"output {index} ({expected.dtype.name}) differs in {mismatches} of {expected.size} values"
        return None

    expected = expected.astype(np.float64)
    finite = np.isfinite(expected)
    if not np.all(finite):
        result["notes"].append(f"output {index}: {int(np.sum(~finite))} non-finite expected values not compared")
    error = float(np.max(np.abs(got[finite] - expected[finite]))) if np.any(finite) else 0.0
    result["errors"].append(error)
    result["relative"].append(relative(error, expected[finite]))
    if not isinstance(bound, (int, float)) or isinstance(bound, bool) or not math.isfinite(bound):
        result["bounds"].append(None)
        return f"output {index} has no error bound in compiled.json"
    result["bounds"].append(float(bound))
    if error > bound + TOLERANCE:
        return f"output {index} max error {error:.4g} > bound {bound:.4g}"
    return None


def relative(error, expected):
    largest = float(np.max(np.abs(expected))) if expected.size else 0.0
    return error / largest if largest > 0 else (0.0 if error == 0 else math.inf)


# ---------------------------------------------------------------------------------------------------------- table

def escape(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def split_row(line):
    cells = re.split(r"(?<!\\)\|", line.strip())
    return [cell.strip().replace("\\|", "|") for cell in cells[1:-1]]


def read_table(path):
    """{case: (status, raw row line)} from the committed table, or None when there is none."""
    if not os.path.isfile(path):
        return None
    rows = {}
    with open(path) as handle:
        for line in handle:
            if not line.startswith("|"):
                continue
            cells = split_row(line)
            if len(cells) < 4 or cells[0] == "case" or set(cells[0]) <= set("-: "):
                continue
            rows[cells[0].strip("`")] = (cells[3], line.rstrip("\n"))
    return rows


def number(value):
    return "" if value is None else value if isinstance(value, str) else f"{value:.3g}"


def table_row(result):
    errors = ", ".join(number(e) for e in result["errors"])
    bounds = ", ".join(number(b) for b in result["bounds"])
    constraints = "" if result["constraints"] is None else str(result["constraints"])
    cells = [result["case"], "" if result["opset"] is None else str(result["opset"]), ", ".join(result["ops"]),
             result["status"], constraints, errors, bounds]
    return "| " + " | ".join(escape(c) for c in cells) + " |"


def write_table(path, cases, results, previous):
    """Rewrites the table: this run's rows, the previous table's rows for cases not run."""
    lines, counts = [], {"pass": 0, "refused": 0, "fail": 0, "not run": 0}
    for label, _ in cases:
        if label in results:
            row, status = table_row(results[label]), results[label]["status"]
        elif previous and label in previous:
            status, row = previous[label]
        else:
            status, row = "not run", "| " + escape(label) + " |  |  | not run |  |  |  |"
        lines.append(row)
        counts["pass" if status == "pass" else "refused" if status.startswith("refused")
               else "not run" if status == "not run" else "fail"] += 1
    summary = f"**{counts['pass']} passed / {counts['refused']} refused / {counts['fail']} failed of {len(cases)}**"
    if counts["not run"]:
        summary += f" ({counts['not run']} not run)"
    header = f"""# ONNX backend test cases exported by PyTorch, through zkinfer

Every ONNX backend test case that PyTorch exported (`onnx/backend/test/data/pytorch-converted/*` and
`onnx/backend/test/data/pytorch-operator/*` in the onnx {onnx.__version__} wheel), compiled by zkinfer with its test
input as the calibration sample, set up, proved and verified, and its proved outputs compared with the expected
ones. `pass`: the proof verifies and every output is within the compiler's worst-case error bound (integer outputs
exact); `refused: X`: compile exited 2 naming op X (or giving that message); `FAIL: stage: reason`: anything else.
Max error is max |zkinfer - expected| per output; bound is the bound from `compiled.json`. The script
`Tests/Interop/onnx_backend_cases.py` treats this file as the expectation: every `pass` row must still pass.
Regenerate it after building the release binary with:

    {REGENERATE}

| case | opset | ops | status | constraints | max error | bound |
|---|---|---|---|---|---|---|
"""
    text = header + "\n".join(lines) + "\n\n" + summary + "\n"
    temporary = path + ".tmp"
    with open(temporary, "w") as handle:
        handle.write(text)
    os.replace(temporary, path)
    return counts


# ----------------------------------------------------------------------------------------------------------- main

def line_for(result, expectation, have_table, update):
    """(behaved as expected, the line to print)."""
    label, kind, status = result["case"], result["kind"], result["status"]
    seconds = sum(result["seconds"].values())
    timing = f" [{seconds:.1f} s]"
    notes = f" ({'; '.join(result['notes'])})" if result["notes"] else ""
    if kind == "fail":
        return False, f"FAIL {label}: {status[len('FAIL: '):]}{notes}{timing}"
    regressed = have_table and expectation == "pass" and kind != "pass"
    if regressed and not update:
        return False, f"FAIL {label}: {status}, but {TABLE} lists it as pass{timing}"
    if kind == "refused":
        was = " -- was pass in the table, --update accepts the refusal" if regressed else ""
        return True, f"refused {label} ({status[len('refused: '):]}){was}{timing}"
    errors = ", ".join(number(e) for e in result["errors"])
    bounds = ", ".join(number(b) for b in result["bounds"])
    constraints = "?" if result["constraints"] is None else result["constraints"]
    fresh = " newly passing, run --update" if have_table and expectation != "pass" else ""
    return True, f"ok   {label} ({constraints} constraints, max err {errors}, bound {bounds}){notes}{fresh}{timing}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("zkinfer", help="the zkinfer binary")
    parser.add_argument("root", help="the repository root (for Tests/Interop/onnx_backend_cases.md)")
    parser.add_argument("--update", action="store_true", help="rewrite the table from this run")
    parser.add_argument("--only", action="append", default=[], metavar="SUBSTRING",
                        help="run only cases whose label contains SUBSTRING (may be repeated)")
    parser.add_argument("--jobs", type=int, default=1, help="cases run at once (default 1)")
    parser.add_argument("--keep", metavar="DIR", help="keep the work directories under DIR")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per zkinfer command (default 300)")
    parser.add_argument("--results", metavar="FILE", help="write every result as JSON to FILE")
    args = parser.parse_args()

    zkinfer = os.path.abspath(args.zkinfer)
    if not (os.path.isfile(zkinfer) and os.access(zkinfer, os.X_OK)):
        print(f"error: {args.zkinfer} is not an executable zkinfer binary", file=sys.stderr)
        return 2
    table_path = os.path.join(os.path.abspath(args.root), TABLE)
    cases = discover()
    if len(cases) != 117:
        print(f"note: found {len(cases)} PyTorch backend cases in onnx {onnx.__version__} (expected 117)", flush=True)
    selected = [(l, d) for l, d in cases if not args.only or any(s in l for s in args.only)]
    if not selected:
        print(f"error: no case label contains {' or '.join(map(repr, args.only))}", file=sys.stderr)
        return 2
    previous = read_table(table_path)
    have_table = previous is not None
    if not have_table:
        print(f"note: {TABLE} does not exist; every case just reports", flush=True)

    root = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="zkinfer-onnx-cases-")
    os.makedirs(root, exist_ok=True)
    start = time.monotonic()
    results, passed, failed, regressions = {}, 0, 0, []

    def work(label, directory):
        path = os.path.join(root, label)
        shutil.rmtree(path, ignore_errors=True)
        try:
            return run_case(label, directory, path, zkinfer, args.timeout)
        except Exception as error:  # a bug here must not hide the other cases
            return {"case": label, "opset": None, "ops": [], "kind": "fail", "constraints": None, "errors": [],
                    "bounds": [], "relative": [], "notes": [], "verify": None, "seconds": {},
                    "status": f"FAIL: harness: {type(error).__name__}: {short(str(error), 120)}"}
        finally:
            if not args.keep:
                shutil.rmtree(path, ignore_errors=True)

    def report(result):
        nonlocal passed, failed
        results[result["case"]] = result
        expectation = previous.get(result["case"], ("", ""))[0] if have_table else None
        behaved, line = line_for(result, expectation, have_table, args.update)
        if have_table and expectation == "pass" and result["kind"] == "refused":
            regressions.append(result["case"])
        passed += behaved
        failed += not behaved
        print(line, flush=True)

    try:
        if args.jobs <= 1:
            for label, directory in selected:
                report(work(label, directory))
        else:
            with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
                futures = [pool.submit(work, label, directory) for label, directory in selected]
                for future in concurrent.futures.as_completed(futures):
                    report(future.result())
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    if args.update:
        counts = write_table(table_path, cases, results, previous)
        print(f"wrote {TABLE}: {counts['pass']} passed / {counts['refused']} refused / {counts['fail']} failed "
              f"of {len(cases)}" + (f"; no longer passing: {', '.join(regressions)}" if regressions else ""),
              flush=True)
    if args.results:
        with open(args.results, "w") as handle:
            json.dump([results[l] for l, _ in selected if l in results], handle, indent=1, default=str)
    kinds = [r["kind"] for r in results.values()]
    print(f"{kinds.count('pass')} pass, {kinds.count('refused')} refused, {kinds.count('fail')} fail of "
          f"{len(selected)} cases run; elapsed {time.monotonic() - start:.1f} s", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
