"""Side-by-side Groth16 benchmark: zkinfer against groth16py 0.2.0 (arkworks) on the same files.

For each workload and size, zkinfer writes a synthetic circuit and witness (.r1cs/.wtns); then both
tools set up and prove on those same files, one process per measurement so peak RSS is per tool.
Prove and verify report the median of --repeat runs; setup runs once. Each tool's proof is checked
by the other. Results are printed as a Markdown table with ratios (groth16py time / zkinfer time).

Usage (release build first):
  swift build -c release --product zkinfer
  python3 -m venv .build/bench-venv && .build/bench-venv/bin/pip install groth16py==0.2.0
  .build/bench-venv/bin/python Benchmarks/prove_vs_groth16py.py --sizes 16 18 --out Benchmarks/results/prove-vs-groth16py.md
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

GROTH16PY_SNIPPET = r"""
import json, sys, time, groth16py
mode, r1cs, wtns, out = sys.argv[1:5]
start = time.perf_counter()
pk, vk = groth16py.setup(r1cs)
setup_seconds = time.perf_counter() - start
result = {"setup": setup_seconds}
if mode == "prove":
    repeats = int(sys.argv[5])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        proof = groth16py.prove_wtns(pk, wtns)
        times.append(time.perf_counter() - start)
    result["prove"] = times
    open(out + ".bin", "wb").write(proof)
    open(out + ".vk.json", "w").write(vk.to_json())
print(json.dumps(result))
"""


def run_with_rss(command):
    """Runs a command and returns (wall seconds, peak RSS MiB, stdout)."""
    start = time.perf_counter()
    stdout_file = tempfile.TemporaryFile(mode="w+")
    stderr_file = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(command, stdout=stdout_file, stderr=stderr_file, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout_file.seek(0)
    stderr_file.seek(0)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {stderr_file.read().strip()}")
    return elapsed, usage.ru_maxrss / 1024, stdout_file.read()


def machine_description():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zkinfer", default=".build/release/zkinfer")
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 18], help="log2 of the domain size")
    parser.add_argument("--kinds", nargs="+", default=["chain", "bits"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", help="also write the Markdown report here")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="zkinfer-bench-")
    rows = []
    for kind in args.kinds:
        for log_size in args.sizes:
            # Leave room for the public rows so the domain is exactly 2^log_size.
            constraints = (1 << log_size) - 3
            base = os.path.join(work, f"{kind}{log_size}")
            subprocess.run([args.zkinfer, "example-circuit", kind, "--constraints", str(constraints),
                            "--r1cs", base + ".r1cs", "--wtns", base + ".wtns"], check=True, capture_output=True)
            print(f"[{kind} 2^{log_size}] zkinfer setup", file=sys.stderr, flush=True)
            setup_seconds, setup_rss, _ = run_with_rss(
                [args.zkinfer, "setup", base + ".r1cs", "--zkey", base + ".zkey", "--vk", base + ".vk.json"])
            prove_times, prove_rss = [], 0
            for _ in range(args.repeat):
                seconds, rss, _ = run_with_rss([args.zkinfer, "prove", base + ".zkey", base + ".wtns",
                                                "--proof", base + ".proof.json", "--public", base + ".public.json"])
                prove_times.append(seconds)
                prove_rss = max(prove_rss, rss)
            verify_times = []
            for _ in range(args.repeat):
                seconds, _, _ = run_with_rss([args.zkinfer, "verify", base + ".vk.json", base + ".proof.json",
                                              base + ".public.json"])
                verify_times.append(seconds)
            print(f"[{kind} 2^{log_size}] groth16py setup + prove", file=sys.stderr, flush=True)
            _, theirs_rss, output = run_with_rss([sys.executable, "-c", GROTH16PY_SNIPPET, "prove", base + ".r1cs",
                                                  base + ".wtns", base + ".theirs", str(args.repeat)])
            theirs = json.loads(output.strip().splitlines()[-1])
            # Each side verifies the other's proof.
            cross_ours = subprocess.run([args.zkinfer, "verify", base + ".theirs.vk.json", base + ".theirs.bin",
                                         base + ".public.json"], capture_output=True).returncode == 0
            import groth16py
            verifier = groth16py.Verifier(groth16py.VerifyingKey.from_snarkjs_file(base + ".vk.json"))
            with open(base + ".proof.json") as proof_file, open(base + ".public.json") as public_file:
                cross_theirs = verifier.verify_snarkjs(proof_file.read(), public_file.read())
            rows.append({
                "kind": kind, "log": log_size, "constraints": constraints,
                "setup": setup_seconds, "prove": statistics.median(prove_times), "verify": statistics.median(verify_times),
                "rss": prove_rss, "setup_rss": setup_rss,
                "their_setup": theirs["setup"], "their_prove": statistics.median(theirs["prove"]), "their_rss": theirs_rss,
                "cross": cross_ours and cross_theirs,
            })
            row = rows[-1]
            print(f"[{kind} 2^{log_size}] prove {row['prove']:.2f} s vs {row['their_prove']:.2f} s "
                  f"({row['their_prove'] / row['prove']:.2f}x)", file=sys.stderr, flush=True)

    lines = [
        f"# zkinfer vs groth16py 0.2.0 (Groth16, BN254)",
        "",
        f"- Machine: {machine_description()}",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Command: `python Benchmarks/prove_vs_groth16py.py --sizes {' '.join(map(str, args.sizes))} --repeat {args.repeat}`",
        "- Same `.r1cs`/`.wtns` for both tools; zkinfer times are whole CLI runs (reading the key included);",
        "  groth16py times are its in-process `setup` and `prove_wtns` calls (1 core). Median of the runs.",
        "- Speed-up = groth16py time / zkinfer time. Verify is the zkinfer CLI's whole run (process start included).",
        "",
        "| workload | domain | zkinfer setup | groth16py setup | speed-up | zkinfer prove | groth16py prove | speed-up | zkinfer verify | prove RSS zkinfer / groth16py | cross-verified |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['kind']} | 2^{row['log']} | {row['setup']:.2f} s | {row['their_setup']:.2f} s | "
            f"{row['their_setup'] / row['setup']:.2f}x | {row['prove']:.2f} s | {row['their_prove']:.2f} s | "
            f"{row['their_prove'] / row['prove']:.2f}x | {row['verify'] * 1000:.0f} ms | "
            f"{row['rss']:.0f} / {row['their_rss']:.0f} MiB | {'yes' if row['cross'] else 'NO'} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, "w") as handle:
            handle.write(report)


if __name__ == "__main__":
    main()
