#!/usr/bin/env python3
"""How much integer issue bandwidth a 64x64-bit multiply takes on this CPU.

Times blocks of M independent multiplies (MULX, 128-bit result, or IMUL, 64-bit result) evenly interleaved
with A independent ADDs, in core cycles (TSC calibrated against a chain of dependent additions). With no
interference a block would take max(M, A/4) cycles: one multiplier, four ALUs. Run from the repository root
(needs clang and an x86-64 CPU with BMI2):

    python3 Benchmarks/cycles/multiply_issue_cost.py
"""
import os
import subprocess
import tempfile

CASES = [(16, 0), (0, 64), (16, 16), (16, 32), (16, 48), (16, 64), (8, 64), (32, 32)]
PAIRS = [("%0", "%1"), ("%2", "%3"), ("%4", "%5"), ("%6", "%7")]


def block(multiplies, adds, instruction):
    """Asm text: the multiplies and adds spread evenly, each writing registers nothing else reads."""
    lines, done_m, done_a = ["movq %12, %%rdx"], 0, 0
    for k in range(multiplies + adds):
        behind_m = (k + 1) * multiplies / (multiplies + adds) - done_m
        behind_a = (k + 1) * adds / (multiplies + adds) - done_a
        if behind_m >= behind_a:
            low, high = PAIRS[done_m % 4]
            lines.append(f"mulxq %12, {low}, {high}" if instruction == "mulx" else f"imulq %12, {low}")
            done_m += 1
        else:
            lines.append(f"addq %12, %{8 + done_a % 4}")
            done_a += 1
    return "\\n\\t".join(lines)


def main():
    source = ['#include <stdint.h>', '#include <stdio.h>', '#include <x86intrin.h>', '''
static double ticks_per_cycle(void)
{
    uint64_t x = 0, start = __rdtsc();
    for (long i = 0; i < 100000000; i++)
        __asm__ volatile("addq $1, %0\\n\\taddq $1, %0\\n\\taddq $1, %0\\n\\taddq $1, %0" : "+r"(x));
    return (double)(__rdtsc() - start) / 4e8;
}
int main(void)
{
    double ratio = ticks_per_cycle();
    uint64_t a, b, c, d, e, f, g, h, w = 1, x = 2, y = 3, z = 4, k = 5;
    printf("| multiply | M | A | cycles per block | max(M, A/4) |\\n|---|---|---|---|---|\\n");''']
    for instruction in ("mulx", "imul"):
        for m, a in CASES:
            if instruction == "imul" and m == 0:
                continue
            source.append(f'''    {{
        double best = 1e9;
        for (int rep = 0; rep < 3; rep++) {{
            uint64_t start = __rdtsc();
            for (long i = 0; i < 5000000; i++)
                __asm__ volatile("{block(m, a, instruction)}"
                                 : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "=&r"(e), "=&r"(f), "=&r"(g), "=&r"(h),
                                   "+r"(w), "+r"(x), "+r"(y), "+r"(z)
                                 : "r"(k) : "rdx", "cc");
            double t = (double)(__rdtsc() - start) / 5e6 / ratio;
            if (t < best) best = t;
        }}
        printf("| {instruction.upper()} | {m} | {a} | %.1f | {max(m, a / 4):.0f} |\\n", best);
    }}''')
    source.append("    return 0;\n}\n")
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "issue_cost.c")
        open(path, "w").write("\n".join(source))
        subprocess.run(["clang", "-O2", path, "-o", path[:-2]], check=True)
        subprocess.run([path[:-2]], check=True)


if __name__ == "__main__":
    main()
