#!/usr/bin/env python3
"""EZKL's pipeline without calibrate_settings, step by step, for models whose calibration fails or picks an
infeasible circuit (the nanoGPT model of Fixtures/onnx-corpus: see Benchmarks/results/zkinfer-vs-ezkl-transformers.md).

gen_settings (input public, output public, params fixed; EZKL's default scales) -> compile_circuit -> gen_srs (locally,
at the settings' logrows) -> gen_witness -> setup -> prove -> verify, in one process, printing each step's seconds and
the process's peak RSS as it goes (run it under `timeout` to bound the prove).

usage: uncalibrated_steps.py MODEL.onnx INPUT.json WORKDIR
"""
import asyncio
import inspect
import json
import os
import resource
import sys
import time


def main():
    import ezkl

    model, data, work = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    path = lambda name: os.path.join(work, name)

    def step(name, function, *arguments):
        start = time.perf_counter()
        result = function(*arguments)
        if inspect.isawaitable(result):
            async def finish():
                return await result
            result = asyncio.run(finish())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name}: {time.perf_counter() - start:.2f} s, peak RSS so far {peak:.0f} MiB", flush=True)
        return result

    arguments = ezkl.PyRunArgs()
    arguments.input_visibility = "public"
    arguments.output_visibility = "public"
    arguments.param_visibility = "fixed"
    step("gen_settings", ezkl.gen_settings, model, path("settings.json"), arguments)
    settings = json.load(open(path("settings.json")))
    print(f"logrows {settings['run_args']['logrows']}, rows used {settings.get('num_rows')}, "
          f"scales 2^-{settings['run_args']['input_scale']} / 2^-{settings['run_args']['param_scale']}", flush=True)
    step("compile_circuit", ezkl.compile_circuit, model, path("circuit.ezkl"), path("settings.json"))
    step("gen_srs", ezkl.gen_srs, path("kzg.srs"), settings["run_args"]["logrows"])
    step("gen_witness", ezkl.gen_witness, data, path("circuit.ezkl"), path("witness.json"))
    step("setup", ezkl.setup, path("circuit.ezkl"), path("vk.key"), path("pk.key"), path("kzg.srs"))
    print(f"proving key {os.path.getsize(path('pk.key')) / 1e9:.1f} GB", flush=True)
    step("prove", ezkl.prove, path("witness.json"), path("circuit.ezkl"), path("pk.key"), path("proof.json"), path("kzg.srs"))
    step("verify", ezkl.verify, path("proof.json"), path("settings.json"), path("vk.key"), path("kzg.srs"))


if __name__ == "__main__":
    main()
