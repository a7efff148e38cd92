#!/usr/bin/env python3
"""EZKL side of the zkinfer benchmark: prove the models made by make_models.py with EZKL.

For each model (mlp, cnn) this runs EZKL's Python API, offline:

  gen_settings (input public, output public, params fixed) -> calibrate_settings (target
  "resources", on the model's input file) -> compile_circuit -> gen_srs (local, with the logrows
  calibration chose; never get_srs, which downloads) -> setup -> gen_witness -> prove -> verify

Each step runs in its own child process of this script, so that its peak resident set size
(ru_maxrss from os.wait4 on that child) is its own. Inside the child the EZKL call alone is timed
with time.perf_counter (interpreter start-up and imports excluded). In EZKL 23.0.5 these calls
are synchronous (calibrate_settings, setup and verify return bool, gen_witness and prove a dict);
whatever comes back awaitable (older versions made several of them async) is awaited.

The output error is max |EZKL output - onnxruntime output|, where the EZKL output is the
witness's rescaled outputs (pretty_elements.rescaled_outputs) and onnxruntime runs the same ONNX
file in float32 (also in a child process, so that the parent stays small: Linux starts a forked
child's RSS high-water mark at the parent's).

usage: run_ezkl.py MODELS_DIR RESULTS_JSON [--workdir DIR] [--models mlp,cnn] [--repeat N]

MODELS_DIR holds mlp.onnx, cnn.onnx, mlp_input.json, cnn_input.json (make_models.py writes them,
and this script runs make_models.py there when they are missing). The summary of each model is
printed to stdout as JSON as it finishes; RESULTS_JSON gets all of them.
"""
import argparse
import asyncio
import inspect
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = ["gen_settings", "calibrate_settings", "compile_circuit", "gen_srs",
         "setup", "gen_witness", "prove", "verify"]


# ------------------------------------------------------------------ child: one EZKL step

async def _call(fn, *args, **kwargs):
    """Call an EZKL function, awaiting its result when it is awaitable; time the whole call."""
    t0 = time.perf_counter()
    res = fn(*args, **kwargs)
    if inspect.isawaitable(res):
        res = await res
    return res, time.perf_counter() - t0


async def _run_step(step, p):
    import ezkl

    if step == "gen_settings":
        ra = ezkl.PyRunArgs()
        ra.input_visibility = "public"
        ra.output_visibility = "public"
        ra.param_visibility = "fixed"
        res, dt = await _call(ezkl.gen_settings, p["model"], p["settings"], py_run_args=ra)
    elif step == "calibrate_settings":
        res, dt = await _call(ezkl.calibrate_settings, p["data"], p["model"], p["settings"],
                              "resources")
    elif step == "compile_circuit":
        res, dt = await _call(ezkl.compile_circuit, p["model"], p["compiled"], p["settings"])
    elif step == "gen_srs":
        with open(p["settings"]) as f:
            logrows = json.load(f)["run_args"]["logrows"]
        res, dt = await _call(ezkl.gen_srs, p["srs"], logrows)
        res = True if res is None else res
    elif step == "setup":
        res, dt = await _call(ezkl.setup, p["compiled"], p["vk"], p["pk"], srs_path=p["srs"])
    elif step == "gen_witness":
        res, dt = await _call(ezkl.gen_witness, p["data"], p["compiled"], p["witness"],
                              srs_path=p["srs"])
        res = res is not None
    elif step == "prove":
        res, dt = await _call(ezkl.prove, p["witness"], p["compiled"], p["pk"], p["proof"],
                              srs_path=p["srs"])
        res = res is not None and res is not False
    elif step == "verify":
        res, dt = await _call(ezkl.verify, p["proof"], p["settings"], p["vk"], srs_path=p["srs"])
    else:
        raise ValueError(step)
    if res is not True:
        raise RuntimeError(f"ezkl.{step} returned {res!r}")
    return dt


def child_main(step, paths_json):
    paths = json.loads(paths_json)
    if step == "compare":
        out = {"step": step, "seconds": 0.0, "data": compare_outputs(paths)}
    else:
        out = {"step": step, "seconds": asyncio.run(_run_step(step, paths))}
    print("EZKL_STEP_RESULT " + json.dumps(out), flush=True)


def compare_outputs(p):
    """EZKL's rescaled witness outputs against onnxruntime's float32 outputs (child process)."""
    import numpy as np
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(p["model"], opts, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    with open(p["data"]) as f:
        flat = json.load(f)["input_data"][0]
    x = np.asarray(flat, dtype=np.float32).reshape([d if isinstance(d, int) else 1
                                                     for d in inp.shape])
    ort_out = sess.run(None, {inp.name: x})[0].reshape(-1).astype(np.float64)

    with open(p["witness"]) as f:
        witness = json.load(f)
    ezkl_out = np.asarray([float(v) for row in witness["pretty_elements"]["rescaled_outputs"]
                           for v in row])
    if ezkl_out.shape != ort_out.shape:
        raise RuntimeError(f"output shapes differ: ezkl {ezkl_out.shape} vs ort {ort_out.shape}")
    err = np.abs(ezkl_out - ort_out)
    return {
        "max_abs_output_error": float(err.max()),
        "mean_abs_output_error": float(err.mean()),
        "argmax_agrees": bool(int(ezkl_out.argmax()) == int(ort_out.argmax())),
        "ezkl_output": ezkl_out.tolist(),
        "onnxruntime_output": ort_out.tolist(),
    }


# ------------------------------------------------------------------ parent

def run_step(step, paths, log):
    """Run one step in a child process; return (seconds, peak RSS of that child in MiB, data).

    Linux carries the parent's RSS high-water mark into a forked child, so this parent process
    imports nothing heavy (no numpy, no onnxruntime, no ezkl): the child's figure is its own."""
    cmd = [sys.executable, os.path.abspath(__file__), "--step", step, "--paths", json.dumps(paths)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    log.write(f"===== {step}\n{out}\n")
    log.flush()
    if proc.returncode != 0:
        sys.stderr.write(out[-6000:])
        raise RuntimeError(f"step {step} failed with exit code {proc.returncode}")
    line = [l for l in out.splitlines() if l.startswith("EZKL_STEP_RESULT ")][-1]
    res = json.loads(line[len("EZKL_STEP_RESULT "):])
    return res["seconds"], usage.ru_maxrss / 1024.0, res.get("data")  # ru_maxrss is in KiB


def proof_bytes(proof_path):
    """Size of the proof itself (the transcript bytes inside EZKL's proof JSON), if found."""
    with open(proof_path) as f:
        doc = json.load(f)
    p = doc.get("proof")
    if isinstance(p, list):
        return len(p)
    if isinstance(p, str):
        h = p[2:] if p.startswith("0x") else p
        return len(h) // 2
    return None


def run_model(name, models_dir, work, log, repeat=1):
    paths = {
        "model": os.path.join(models_dir, f"{name}.onnx"),
        "data": os.path.join(models_dir, f"{name}_input.json"),
        "settings": os.path.join(work, f"{name}_settings.json"),
        "compiled": os.path.join(work, f"{name}.ezkl"),
        "srs": os.path.join(work, f"{name}_kzg.srs"),
        "vk": os.path.join(work, f"{name}_vk.key"),
        "pk": os.path.join(work, f"{name}_pk.key"),
        "witness": os.path.join(work, f"{name}_witness.json"),
        "proof": os.path.join(work, f"{name}_proof.json"),
    }
    steps = {}
    for step in STEPS:
        runs = repeat if step in ("prove", "verify") else 1
        secs, rsss = [], []
        for i in range(runs):
            sys.stderr.write(f"[{name}] {step} ({i + 1}/{runs}) ...\n")
            sec, rss, _ = run_step(step, paths, log)
            secs.append(sec)
            rsss.append(rss)
            sys.stderr.write(f"[{name}] {step}: {sec:.3f} s, peak RSS {rss:.0f} MiB\n")
        steps[step] = {"seconds": round(statistics.median(secs), 4),
                       "peak_rss_mib": round(max(rsss), 1)}
        if runs > 1:
            steps[step]["runs_s"] = [round(t, 4) for t in secs]

    with open(paths["settings"]) as f:
        settings = json.load(f)
    ra = settings["run_args"]
    _, _, cmp = run_step("compare", paths, log)

    return {
        "model": name,
        "logrows": ra["logrows"],
        "input_scale": ra.get("input_scale"),
        "param_scale": ra.get("param_scale"),
        "num_rows": settings.get("num_rows"),
        "total_assignments": settings.get("total_assignments"),
        "visibility": {k: ra.get(k) for k in
                       ("input_visibility", "output_visibility", "param_visibility")},
        "setup_s": steps["setup"]["seconds"],
        "prove_s": steps["prove"]["seconds"],
        "verify_s": steps["verify"]["seconds"],
        "prove_peak_rss_mib": steps["prove"]["peak_rss_mib"],
        "setup_peak_rss_mib": steps["setup"]["peak_rss_mib"],
        "proof_bytes": proof_bytes(paths["proof"]),
        "proof_json_bytes": os.path.getsize(paths["proof"]),
        "vk_bytes": os.path.getsize(paths["vk"]),
        "pk_bytes": os.path.getsize(paths["pk"]),
        "verified": True,
        **cmp,
        "steps": steps,
    }


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        ap = argparse.ArgumentParser()
        ap.add_argument("--step", required=True, choices=STEPS + ["compare"])
        ap.add_argument("--paths", required=True)
        a = ap.parse_args()
        child_main(a.step, a.paths)
        return

    ap = argparse.ArgumentParser(description="Prove the benchmark models with EZKL (offline).")
    ap.add_argument("models_dir")
    ap.add_argument("results")
    ap.add_argument("--workdir", help="where EZKL's files go (default: MODELS_DIR/ezkl-work)")
    ap.add_argument("--models", default="mlp,cnn")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run prove and verify this many times (fresh process each), report the "
                         "median time and the largest peak RSS")
    args = ap.parse_args()

    models_dir = os.path.abspath(args.models_dir)
    names = [m for m in args.models.split(",") if m]
    if not all(os.path.exists(os.path.join(models_dir, f"{n}.onnx")) for n in names):
        subprocess.run([sys.executable, os.path.join(HERE, "make_models.py"), models_dir],
                       check=True, stdout=sys.stderr)  # keep stdout for the JSON summaries
    work = os.path.abspath(args.workdir or os.path.join(models_dir, "ezkl-work"))
    os.makedirs(work, exist_ok=True)

    import importlib.metadata as md  # reads package metadata only; imports none of them

    env = {
        "ezkl": md.version("ezkl"),
        "onnx": md.version("onnx"),
        "onnxruntime": md.version("onnxruntime"),
        "numpy": md.version("numpy"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "loadavg_at_start": list(os.getloadavg()),
        "rayon_num_threads": os.environ.get("RAYON_NUM_THREADS"),
        "proof_system": "EZKL (halo2, KZG on BN254)",
    }
    results = {"environment": env, "models": []}
    with open(os.path.join(work, "ezkl_steps.log"), "w") as log:
        for name in names:
            r = run_model(name, models_dir, work, log, repeat=args.repeat)
            results["models"].append(r)
            print(json.dumps(r), flush=True)
            with open(args.results, "w") as f:
                json.dump(results, f, indent=2)
                f.write("\n")


if __name__ == "__main__":
    main()
