#!/usr/bin/env python3
"""zkinfer and EZKL side by side, in one run on one machine, on the same two ONNX models.

Both tools prove the models that make_models.py builds (mlp.onnx, cnn.onnx) with the same
visibility: weights fixed in the circuit, input public, output public.

Per model, interleaved (zkinfer mlp, EZKL mlp, zkinfer cnn, EZKL cnn) so that drift in the
machine's load touches both tools alike:

  zkinfer: compile (--input public --input-range 0,1 --calibration INPUT.json) -> setup
           -> prove x N -> verify x N
  EZKL:    run_ezkl.run_model(..., repeat=N): gen_settings -> calibrate_settings ->
           compile_circuit -> gen_srs -> setup -> gen_witness -> prove x N -> verify x N

Each zkinfer command is a child process, timed by the wall clock around the whole process
(start-up and reading keys included) with its peak RSS from os.wait4; EZKL's steps are timed
inside their child around the API call alone (run_ezkl.py). Prove and verify report the median
of N runs. The output error is max |output - onnxruntime float32 output|; onnxruntime runs in a
child process so that this parent stays small (Linux starts a child's RSS high-water mark at
its parent's), which is also why this script imports nothing heavy.

usage: compare.py ZKINFER_BINARY WORKDIR [--repeat N] [--models mlp,cnn] [--input-range LO,HI]
                  [--zkinfer-options NAME:ARGS ...] [--results-md PATH] [--results-json PATH]

WORKDIR gets the models (make_models.py runs there when they are missing), zkinfer's model
directories WORKDIR/zkinfer-<model>, EZKL's files under WORKDIR/ezkl-work and the logs of every
child process in WORKDIR/compare.log.
"""
import argparse
import datetime
import hashlib
import importlib.metadata as md  # package metadata only; imports none of the packages
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_ezkl  # noqa: E402  (imports nothing heavy at module level)

RESULTS_DIR = os.path.normpath(os.path.join(HERE, "..", "results"))
GROTH16_PROOF_BYTES = 256  # 2 G1 + 1 G2 points over BN254, uncompressed: 8 x 32-byte elements


# ------------------------------------------------------------------ child: onnxruntime reference

def ort_child(model, data):
    import numpy as np
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    with open(data) as f:
        flat = json.load(f)["input_data"][0]
    dtype = np.int64 if "int64" in inp.type else np.float32  # token ids stay integers
    x = np.asarray(flat, dtype=dtype).reshape([d if isinstance(d, int) else 1
                                                     for d in inp.shape])
    out = sess.run(None, {inp.name: x})[0].reshape(-1).astype(np.float64)
    print("ORT_RESULT " + json.dumps(out.tolist()), flush=True)


def onnxruntime_output(model, data, log):
    cmd = [sys.executable, os.path.abspath(__file__), "--ort-child", model, data]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log.write(f"===== onnxruntime {os.path.basename(model)}\n{out.stdout}\n")
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-4000:])
        raise RuntimeError("onnxruntime child failed")
    line = [l for l in out.stdout.splitlines() if l.startswith("ORT_RESULT ")][-1]
    return json.loads(line[len("ORT_RESULT "):])


# ------------------------------------------------------------------ zkinfer

def run_cli(cmd, log, label, ok_codes=(0,)):
    """Run one zkinfer command; return (wall seconds, peak RSS MiB) of that child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    dt = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    log.write(f"===== {label}: {shlex.join(cmd)} (exit {rc}, {dt:.3f} s)\n{out}\n")
    log.flush()
    if rc not in ok_codes:
        sys.stderr.write(out[-4000:])
        raise RuntimeError(f"{label} failed with exit code {rc}")
    return dt, usage.ru_maxrss / 1024.0  # ru_maxrss is in KiB


def timed(name, step, cmd, log, runs=1):
    secs, rsss = [], []
    for i in range(runs):
        sys.stderr.write(f"[zkinfer {name}] {step} ({i + 1}/{runs}) ...\n")
        dt, rss = run_cli(cmd, log, f"zkinfer {name} {step} {i + 1}/{runs}")
        secs.append(dt)
        rsss.append(rss)
        sys.stderr.write(f"[zkinfer {name}] {step}: {dt:.3f} s, peak RSS {rss:.0f} MiB\n")
    r = {"seconds": round(statistics.median(secs), 4), "peak_rss_mib": round(max(rsss), 1)}
    if runs > 1:
        r["runs_s"] = [round(t, 4) for t in secs]
    return r


def run_zkinfer(binary, name, models_dir, work, log, repeat, input_range="0,1", options=()):
    model = os.path.join(models_dir, f"{name}.onnx")
    data = os.path.join(models_dir, f"{name}_input.json")
    d = os.path.join(work, f"zkinfer-{name}")
    steps = {
        "compile": timed(name, "compile",
                         [binary, "compile", model, "-o", d, "--input", "public",
                          f"--input-range={input_range}", "--calibration", data, *options], log),
        "setup": timed(name, "setup", [binary, "setup", d], log),
        "prove": timed(name, "prove", [binary, "prove", d, "--input", data], log, repeat),
        "verify": timed(name, "verify", [binary, "verify", d], log, repeat),
    }
    with open(os.path.join(d, "cost.json")) as f:
        cost = json.load(f)
    with open(os.path.join(d, "output.json")) as f:
        output = json.load(f)
    ort = onnxruntime_output(model, data, log)
    zk = [float(v) for v in output["output"]]
    if len(zk) != len(ort):
        raise RuntimeError(f"output lengths differ: zkinfer {len(zk)} vs onnxruntime {len(ort)}")
    err = [abs(a - b) for a, b in zip(zk, ort)]
    ort_argmax = max(range(len(ort)), key=lambda i: ort[i])
    return {
        "model": name,
        "constraints": cost["constraints"],
        "wires": cost.get("wires"),
        "public_signals": cost.get("publicSignals"),
        "output_scale_bits": output.get("outputScale"),
        "compile_s": steps["compile"]["seconds"],
        "setup_s": steps["setup"]["seconds"],
        "prove_s": steps["prove"]["seconds"],
        "verify_s": steps["verify"]["seconds"],
        "prove_peak_rss_mib": steps["prove"]["peak_rss_mib"],
        "setup_peak_rss_mib": steps["setup"]["peak_rss_mib"],
        "proof_bytes": GROTH16_PROOF_BYTES,
        "proof_json_bytes": os.path.getsize(os.path.join(d, "proof.json")),
        "vk_json_bytes": os.path.getsize(os.path.join(d, "verification_key.json")),
        "zkey_bytes": os.path.getsize(os.path.join(d, "circuit.zkey")),
        "verified": True,  # every verify run exited 0 (run_cli raises otherwise)
        "max_abs_output_error": max(err),
        "mean_abs_output_error": sum(err) / len(err),
        "argmax_agrees": output.get("predictedClass") == ort_argmax,
        "zkinfer_output": zk,
        "onnxruntime_output": ort,
        "steps": steps,
    }


# ------------------------------------------------------------------ report

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ratio(a, b):
    return a / b if a and b else None


def fmt_s(x):
    return "-" if x is None else (f"{x:.2f}" if x >= 0.1 else f"{x:.3f}")


def fmt_runs(r):
    runs = r.get("runs_s")
    if not runs or len(runs) < 2:
        return fmt_s(r["seconds"])
    return f"{fmt_s(r['seconds'])} ({fmt_s(min(runs))}–{fmt_s(max(runs))})"


def fmt_x(x):
    if x is None:
        return "-"
    return f"**{x:.2f}x**" if x < 1 else f"**{x:.1f}x**"


def markdown(res):
    env = res["environment"]
    L = ["# zkinfer vs EZKL on the same ONNX models", ""]
    L.append(f"- Machine: {env['nproc']} cores ({env['cpu_model']}), {env['platform']}; "
             f"load average {env['loadavg_at_start'][0]:.2f} at start, "
             f"{env.get('loadavg_at_end', [float('nan')])[0]:.2f} at end")
    L.append(f"- Date: {env['date_utc']} (run took {env.get('total_minutes', 0):.1f} min)")
    L.append(f"- Versions: ezkl {env['ezkl']}, onnxruntime {env['onnxruntime']}, "
             f"onnx {env['onnx']}, numpy {env['numpy']}, Python {env['python']}; zkinfer binary "
             f"sha256 {env['zkinfer_sha256'][:16]}…")
    L.append(f"- Command: `{env['command']}`")
    names = [m["model"] for m in res["models"]]
    if set(names) <= {"mlp", "cnn"}:
        described = ("Models (make_models.py, seeded): mlp = 784→128 Relu→10; cnn = Conv 1→4 3x3, "
                     "Relu, Flatten, 2704→10.")
    else:
        described = f"Models: {', '.join(n + '.onnx' for n in names)} from WORKDIR (see the command)."
    L.append(f"- {described} Visibility for both tools: weights fixed, input public, "
             f"output public. Prove and verify: median of {env['repeat']} runs (range in "
             f"parentheses), each run a fresh process; models interleaved "
             f"(zkinfer, then EZKL, per model).")
    L.append("")
    L.append("| model | tool | circuit | setup s | prove s | verify ms | proof bytes | "
             "prove peak RSS MiB | max abs output error | argmax = onnxruntime |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for m in res["models"]:
        z, e = m.get("zkinfer"), m.get("ezkl")
        if z:
            L.append(f"| {m['model']} | zkinfer (Groth16) | {z['constraints']:,} R1CS constraints "
                     f"| {fmt_s(z['setup_s'])} | {fmt_runs(z['steps']['prove'])} "
                     f"| {z['verify_s'] * 1000:.0f} | {z['proof_bytes']:,} "
                     f"| {z['prove_peak_rss_mib']:.0f} | {z['max_abs_output_error']:.5f} "
                     f"| {'yes' if z['argmax_agrees'] else 'no'} |")
        if e:
            rows = f"2^{e['logrows']} rows"
            if e.get("num_rows"):
                rows += f" ({e['num_rows']:,} used)"
            L.append(f"| {m['model']} | EZKL (halo2 KZG) | {rows} "
                     f"| {fmt_s(e['setup_s'])} | {fmt_runs(e['steps']['prove'])} "
                     f"| {e['verify_s'] * 1000:.0f} | {e['proof_bytes'] or 0:,} "
                     f"| {e['prove_peak_rss_mib']:.0f} | {e['max_abs_output_error']:.5f} "
                     f"| {'yes' if e['argmax_agrees'] else 'no'} |")
        if z and e:
            r = m["ratios_ezkl_over_zkinfer"]
            L.append(f"| {m['model']} | EZKL / zkinfer | | {fmt_x(r['setup'])} "
                     f"| {fmt_x(r['prove'])} | {fmt_x(r['verify'])} "
                     f"| {fmt_x(r['proof_bytes'])} | {fmt_x(r['prove_peak_rss'])} | | |")
    L.append("")
    L.append("Other figures from the same run:")
    L.append("")
    for m in res["models"]:
        z, e = m.get("zkinfer"), m.get("ezkl")
        parts = []
        if z:
            if m.get("zkinfer_options"):
                parts.append(f"zkinfer compile options `{shlex.join(m['zkinfer_options'])}`")
            parts.append(f"zkinfer compile with calibration {fmt_s(z['compile_s'])} s, setup peak "
                         f"RSS {z['setup_peak_rss_mib']:.0f} MiB, proving key "
                         f"{z['zkey_bytes'] / 1e6:.1f} MB, output scale 2^-{z['output_scale_bits']}")
        if e:
            es = e["steps"]
            comp = sum(es[k]["seconds"] for k in
                       ("gen_settings", "calibrate_settings", "compile_circuit"))
            parts.append(f"EZKL gen_settings + calibrate_settings + compile_circuit {fmt_s(comp)} s, "
                         f"gen_srs {fmt_s(es['gen_srs']['seconds'])} s (excluded), gen_witness "
                         f"{fmt_s(es['gen_witness']['seconds'])} s (excluded from prove), setup "
                         f"peak RSS {e['setup_peak_rss_mib']:.0f} MiB, proving key "
                         f"{e['pk_bytes'] / 1e6:.0f} MB, scales 2^-{e['input_scale']} / "
                         f"2^-{e['param_scale']}")
        if "loadavg_before_zkinfer" in m and "loadavg_before_ezkl" in m:
            parts.append(f"1-min load average before zkinfer {m['loadavg_before_zkinfer'][0]:.2f}, "
                         f"before EZKL {m['loadavg_before_ezkl'][0]:.2f}")
        L.append(f"- {m['model']}: " + "; ".join(parts) + ".")
    L.append("")
    L.append("Notes:")
    L.append("")
    L.append("- EZKL's `gen_srs` time is excluded (it is listed above but not in setup).")
    L.append("- zkinfer's setup is a single-party development setup (the toxic waste is known to "
             "whoever ran it); EZKL's is KZG with a locally generated SRS (`gen_srs`), which has "
             "the same caveat. Neither is a production setup.")
    L.append("- zkinfer timings are whole CLI processes (process start, reading the model "
             "directory and the proving or verification key, writing the outputs); EZKL's are "
             "the Python API calls only, timed inside their child process (interpreter start-up "
             "and imports excluded, and `gen_witness` is a separate step that prove excludes). "
             "The comparison is therefore conservative for zkinfer.")
    L.append("- Peak RSS is `ru_maxrss` of each step's own child process (`os.wait4`).")
    L.append("- Proof bytes: zkinfer's is the Groth16 proof (8 BN254 field elements of 32 bytes; "
             "`proof.json` is the snarkjs JSON form); EZKL's is the halo2 transcript in its "
             "proof JSON.")
    L.append("- Output error: max |tool output − onnxruntime float32 output| on the model's "
             "input file (zkinfer: `output.json`; EZKL: the witness's rescaled outputs).")
    L.append("- Both tools use every core the machine has; the machine is shared, so compare "
             "figures from one run only.")
    L.append("")
    return "\n".join(L)


def write_results(res, md_path, json_path):
    for p in (md_path, json_path):
        os.makedirs(os.path.dirname(os.path.abspath(p)), exist_ok=True)
    with open(json_path, "w") as f:
        json.dump(res, f, indent=2)
        f.write("\n")
    with open(md_path, "w") as f:
        f.write(markdown(res))


# ------------------------------------------------------------------ main

def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--ort-child":
        ort_child(sys.argv[2], sys.argv[3])
        return

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("zkinfer_binary")
    ap.add_argument("workdir")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--models", default="mlp,cnn",
                    help="names of WORKDIR/NAME.onnx with NAME_input.json (make_models.py writes mlp and cnn)")
    ap.add_argument("--input-range", default="0,1", help="zkinfer's --input-range for every model (default 0,1)")
    ap.add_argument("--zkinfer-options", action="append", default=[], metavar="NAME:ARGS",
                    help="more zkinfer compile arguments for model NAME, e.g. 'gpt:--input-range 0,63 --ranges calibrated' "
                         "(repeatable; a later --input-range wins)")
    ap.add_argument("--results-md", default=os.path.join(RESULTS_DIR, "zkinfer-vs-ezkl.md"))
    ap.add_argument("--results-json", default=os.path.join(RESULTS_DIR, "zkinfer-vs-ezkl.json"))
    args = ap.parse_args()

    binary = os.path.abspath(args.zkinfer_binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"not an executable: {binary}")
    work = os.path.abspath(args.workdir)
    os.makedirs(work, exist_ok=True)
    names = [m for m in args.models.split(",") if m]
    needed = [f"{n}{s}" for n in names for s in (".onnx", "_input.json")]
    if not all(os.path.exists(os.path.join(work, p)) for p in needed):
        subprocess.run([sys.executable, os.path.join(HERE, "make_models.py"), work],
                       check=True, stdout=sys.stderr)
    ezkl_work = os.path.join(work, "ezkl-work")
    os.makedirs(ezkl_work, exist_ok=True)

    cmd = shlex.join([sys.executable] + sys.argv)
    niceness = os.nice(0)
    if niceness:
        cmd = f"nice -n {niceness} {cmd}"
    t_start = time.time()
    env = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model(),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "ezkl": md.version("ezkl"),
        "onnxruntime": md.version("onnxruntime"),
        "onnx": md.version("onnx"),
        "numpy": md.version("numpy"),
        "python": platform.python_version(),
        "zkinfer_binary": binary,
        "zkinfer_sha256": sha256(binary),
        "rayon_num_threads": os.environ.get("RAYON_NUM_THREADS"),
        "repeat": args.repeat,
        "command": cmd,
        "niceness": niceness,
    }
    res = {"environment": env, "models": []}
    with open(os.path.join(work, "compare.log"), "w") as log:
        for name in names:
            entry = {"model": name}
            res["models"].append(entry)
            entry["loadavg_before_zkinfer"] = [round(x, 2) for x in os.getloadavg()]
            extra = [a for o in args.zkinfer_options if o.split(":", 1)[0] == name for a in shlex.split(o.split(":", 1)[1])]
            entry["zkinfer"] = run_zkinfer(binary, name, work, work, log, args.repeat, args.input_range, extra)
            entry["zkinfer_options"] = extra
            write_results(res, args.results_md, args.results_json)
            sys.stderr.write(f"[ezkl {name}] starting\n")
            entry["loadavg_before_ezkl"] = [round(x, 2) for x in os.getloadavg()]
            entry["ezkl"] = run_ezkl.run_model(name, work, ezkl_work, log, repeat=args.repeat)
            z, e = entry["zkinfer"], entry["ezkl"]
            entry["ratios_ezkl_over_zkinfer"] = {
                "setup": ratio(e["setup_s"], z["setup_s"]),
                "prove": ratio(e["prove_s"], z["prove_s"]),
                "verify": ratio(e["verify_s"], z["verify_s"]),
                "prove_peak_rss": ratio(e["prove_peak_rss_mib"], z["prove_peak_rss_mib"]),
                "proof_bytes": ratio(e["proof_bytes"], z["proof_bytes"]),
            }
            env["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
            env["total_minutes"] = round((time.time() - t_start) / 60, 2)
            write_results(res, args.results_md, args.results_json)
            print(json.dumps({"model": name, "ratios_ezkl_over_zkinfer":
                              entry["ratios_ezkl_over_zkinfer"]}), flush=True)
    sys.stderr.write(f"wrote {args.results_md} and {args.results_json}\n")


if __name__ == "__main__":
    main()
