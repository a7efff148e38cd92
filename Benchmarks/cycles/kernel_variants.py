#!/usr/bin/env python3
"""Cycles per Fr multiplication for the shipped MULX/ADCX/ADOX kernel and the alternatives tried against it.

Each variant is emitted as inline asm with the shipped kernel's operand convention (a in registers, b in memory,
BN254 Fr constants RIP-relative), checked against the portable C multiply on 300,000 random pairs (values up to
q - 1 and a = b included), and timed in core cycles: the TSC is calibrated against a chain of dependent
additions, as in fr_mul_cycles.c. "chain" is a dependency chain (latency); "4 chains" interleaves four
independent chains (throughput). "model" is the latency the dataflow model below predicts (MULX 3 cycles to the
low and 4 to the high half, IMUL 3, ADD/ADC/ADCX/ADOX/SBB/CMOV 1, register moves and xor-zeroing free, one
multiplier and four ALUs, oldest ready instruction first); the gap to the measurement is the scheduling the
model leaves out. Run from the repository root (needs clang and an x86-64 CPU with BMI2 and ADX):

    python3 Benchmarks/cycles/kernel_variants.py
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INCLUDE = os.path.join(ROOT, "Sources", "CFieldArithmetic", "include")
Q = 0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001
QINV_HIGH = ((-pow(Q, -1, 2**128)) % 2**128) >> 64   # upper limb of -q^-1 mod 2^128

sys.dont_write_bytecode = True  # no __pycache__ inside the Swift target
sys.path.insert(0, os.path.join(ROOT, "Sources", "CFieldArithmetic"))
import generate_header  # noqa: E402  (the shipped kernel's generator)
from generate_header import final_subtraction  # noqa: E402

LO, HI, DX, ZERO = "%[lo]", "%[hi]", "%%rdx", "%[zero]"


def shipped_kernel():
    """The kernel in montgomery_adx.h, taken from its generator."""
    return generate_header.mul_body(zmem=True)


def product_row(emit, limb, b_index, first_column, first_row=False):
    """t[first_column ...] += a * b[b_index], the top limb fresh."""
    emit(f"movq %[b{b_index}], {DX}")
    emit("xorl %k[lo], %k[lo]")
    c = first_column
    if first_row:
        emit(f"mulxq %[a0], {limb(c)}, {limb(c + 1)}")
        for j in range(1, 4):
            emit(f"mulxq %[a{j}], {LO}, {limb(c + j + 1)}")
            emit(f"adcxq {LO}, {limb(c + j)}")
        emit(f"adcxq {ZERO}, {limb(c + 4)}")
        return
    for j in range(3):
        emit(f"mulxq %[a{j}], {LO}, {HI}")
        emit(f"adoxq {LO}, {limb(c + j)}")
        emit(f"adcxq {HI}, {limb(c + j + 1)}")
    emit(f"mulxq %[a3], {LO}, {limb(c + 4)}")
    emit(f"adoxq {LO}, {limb(c + 3)}")
    emit(f"adcxq {ZERO}, {limb(c + 4)}")
    emit(f"adoxq {ZERO}, {limb(c + 4)}")


def reduction_row(emit, limb, first_column, carry_columns):
    """t[first_column ...] += rdx * q; carries flushed into the listed columns."""
    emit("xorl %k[lo], %k[lo]")
    c = first_column
    for j in range(4):
        emit(f"mulxq %[q{j}], {LO}, {HI}")
        emit(f"adoxq {LO}, {limb(c + j)}")
        emit(f"adcxq {HI}, {limb(c + j + 1)}")
    emit(f"adoxq {ZERO}, {limb(c + 4)}")
    for column in carry_columns:
        emit(f"adcxq {ZERO}, {limb(column)}")
        emit(f"adoxq {ZERO}, {limb(column)}")


def imul_m_kernel(final=True):
    """CIOS with m = t0 * qinv computed by IMUL straight into rdx once the product row is done."""
    slots, lines, offset = ["s0", "s1", "s2", "s3", "s4"], [], [0]
    emit = lines.append
    limb = lambda j: "%[" + slots[(j + offset[0]) % 5] + "]"
    for i in range(4):
        product_row(emit, limb, i, 0, first_row=(i == 0))
        emit(f"movq {limb(0)}, {DX}")
        emit(f"imulq %[qinv], {DX}")
        reduction_row(emit, limb, 0, [])
        offset[0] += 1
    if final:
        final_subtraction(emit, limb, [limb(4), LO, HI, DX])
    return lines, [slots[(j + offset[0]) % 5] for j in range(4)]


def two_word_kernel():
    """Two rounds at a time: t += a * (b[2k] + b[2k+1] 2^64), m = t * qinv mod 2^128, t = (t + m q) / 2^128."""
    slots, lines, offset = ["s0", "s1", "s2", "s3", "s4", "s5"], [], [0]
    emit = lines.append
    limb = lambda j: "%[" + slots[(j + offset[0]) % 6] + "]"
    for k in range(2):
        product_row(emit, limb, 2 * k, 0, first_row=(k == 0))
        product_row(emit, limb, 2 * k + 1, 1)
        emit(f"movq {limb(0)}, {DX}")
        emit(f"mulxq %[qinv], %[m], {HI}")          # m = low limb, hi = carry into the high limb
        emit(f"imulq %[qinv_high], {DX}")
        emit(f"addq {HI}, {DX}")
        emit(f"movq {limb(1)}, {HI}")
        emit(f"imulq %[qinv], {HI}")
        emit(f"addq {HI}, {DX}")                     # rdx = high limb of m
        reduction_row(emit, limb, 1, [])
        emit(f"movq %[m], {DX}")
        reduction_row(emit, limb, 0, [5])
        offset[0] += 2
    final_subtraction(emit, limb, [limb(4), limb(5), LO, HI])
    return lines, [slots[(j + offset[0]) % 6] for j in range(4)]


def early_product_kernel():
    """CIOS with the product row of b[i+1] issued before the reduction of round i."""
    slots, lines, offset = ["s0", "s1", "s2", "s3", "s4", "s5"], [], [0]
    emit = lines.append
    limb = lambda j: "%[" + slots[(j + offset[0]) % 6] + "]"
    product_row(emit, limb, 0, 0, first_row=True)
    for i in range(4):
        if i < 3:
            product_row(emit, limb, i + 1, 1)
        emit(f"movq {limb(0)}, {DX}")
        emit(f"imulq %[qinv], {DX}")
        reduction_row(emit, limb, 0, [5] if i < 3 else [])
        offset[0] += 1
    final_subtraction(emit, limb, [limb(4), LO, HI, DX])
    return lines, [slots[(j + offset[0]) % 6] for j in range(4)]


def model_latency(lines, results):
    """Cycle at which the last result limb is ready, under the dataflow model in the module docstring."""
    program = []
    for line in lines:
        if line.startswith("/*"):
            continue
        op, rest = line.split(None, 1)
        args = [a.strip().replace("%k[", "%[") for a in rest.split(",")]
        reg = lambda a: a.startswith("%[") or a.startswith("%%r")
        reads, writes, unit = [], {}, "alu"
        if op == "mulxq":
            reads = [a for a in args[:1] if reg(a)] + [DX]
            writes = {args[1]: 3, args[2]: 4}
            unit = "mul"
        elif op in ("adcxq", "adoxq"):
            flag = "CF" if op == "adcxq" else "OF"
            reads = [a for a in args[:1] if reg(a)] + [args[1], flag]
            writes = {args[1]: 1, flag: 1}
        elif op in ("addq", "subq", "sbbq"):
            reads = [a for a in args[:1] if reg(a)] + [args[1]] + (["CF"] if op == "sbbq" else [])
            writes = {args[1]: 1, "CF": 1, "OF": 1}
        elif op == "imulq":
            reads = [a for a in args[:1] if reg(a)] + [args[1]]
            writes = {args[1]: 3, "CF": 3, "OF": 3}
            unit = "mul"
        elif op == "xorl":
            writes, unit = {args[1]: 0, "CF": 0, "OF": 0}, None
        elif op == "movq":
            reads, writes, unit = [a for a in args[:1] if reg(a)], {args[1]: 0}, None
        elif op == "cmovncq":
            reads, writes = [args[0], args[1], "CF"], {args[1]: 1}
        else:
            raise ValueError(op)
        program.append((reads, writes, unit))
    producer, sources = {}, []
    for index, (reads, writes, _) in enumerate(program):
        sources.append([(producer.get(r), r) for r in reads])
        for w in writes:
            producer[w] = index
    issued, cycle, pending = {}, 0, list(range(len(program)))
    while pending:
        free = {"alu": 4, "mul": 1, None: 99}
        for index in list(pending):
            ready = all(p is None or (p in issued and issued[p] + program[p][1][r] <= cycle)
                        for p, r in sources[index])
            unit = program[index][2]
            if ready and free[unit] > 0:
                free[unit] -= 1
                issued[index] = cycle
                pending.remove(index)
        cycle += 1
    return max(issued[producer["%[" + r + "]"]] + program[producer["%[" + r + "]"]][1]["%[" + r + "]"]
               for r in results)


FUNCTION = r'''
static inline zk_fe256 NAME(zk_fe256 a, const uint64_t *b)
{
    uint64_t a0 = a.l[0], a1 = a.l[1], a2 = a.l[2], a3 = a.l[3], s0, s1, s2, s3, s4, s5, lo, hi, m;
    __asm__(
BODY
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [s4] "=&r"(s4), EXTRA
          [lo] "=&r"(lo), [hi] "=&r"(hi), [m] "=&r"(m)
        : [a0] "r"(a0), [a1] "r"(a1), [a2] "r"(a2), [a3] "r"(a3),
          [b0] "m"(b[0]), [b1] "m"(b[1]), [b2] "m"(b[2]), [b3] "m"(b[3]),
          [q0] "m"(zk_bn254_fr_modulus[0]), [q1] "m"(zk_bn254_fr_modulus[1]),
          [q2] "m"(zk_bn254_fr_modulus[2]), [q3] "m"(zk_bn254_fr_modulus[3]),
          [qinv] "m"(zk_bn254_fr_qinv), [qinv_high] "m"(qinv_high), [zero] "m"(zk_zero_limb)
        : "rdx", "cc");
    (void)s0; (void)s1; (void)s2; (void)s3; (void)s4; (void)s5; (void)lo; (void)hi; (void)m;
    zk_fe256 r = {{R0, R1, R2, R3}};
    return r;
}
'''

HARNESS = r'''
#include <stdint.h>
#include <stdio.h>
#include <x86intrin.h>
#include "montgomery_adx.h"
static const uint64_t qinv_high = QINV_HIGH;
FUNCTIONS
static double ticks_per_cycle(void)
{
    uint64_t x = 0, start = __rdtsc();
    for (long i = 0; i < 100000000; i++)
        __asm__ volatile("addq $1, %0\n\taddq $1, %0\n\taddq $1, %0\n\taddq $1, %0" : "+r"(x));
    return (double)(__rdtsc() - start) / 4e8;
}
static uint64_t state = 88172645463325252ULL;
static uint64_t next(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; }
static zk_fe256 random_element(void)
{
    for (;;) {
        zk_fe256 a = {{next(), next(), next(), next() & 0x3fffffffffffffffULL}};
        for (int i = 3; i >= 0; i--) {
            if (a.l[i] < zk_bn254_fr_modulus[i]) return a;
            if (a.l[i] > zk_bn254_fr_modulus[i]) break;
        }
    }
}
typedef zk_fe256 (*kernel)(zk_fe256, const uint64_t *);
static int agrees(kernel f)
{
    for (int i = 0; i < 300000; i++) {
        zk_fe256 a = random_element(), b = random_element();
        if (i % 5 == 0) a = b;
        if (i % 7 == 0) { for (int j = 0; j < 4; j++) a.l[j] = zk_bn254_fr_modulus[j]; a.l[0] -= 1; }
        zk_fe256 expected = zk_bn254_fr_mul_portable(a, b), got = f(a, b.l);
        for (int j = 0; j < 4; j++) if (expected.l[j] != got.l[j]) return 0;
    }
    return 1;
}
#define MEASURE(f, label, model, check) do { \
    const char *verdict = check ? (agrees(f) ? "correct" : "WRONG") : "not a full multiply"; \
    double chain = 1e9, independent = 1e9; \
    for (int rep = 0; rep < 5; rep++) { \
        zk_fe256 a = {{1, 2, 3, 4}}, b = {{5, 6, 7, 0x1000}}, c = a, d = b, e = {{9, 9, 9, 9}}, g = {{3, 3, 3, 3}}; \
        uint64_t start = __rdtsc(); \
        for (int i = 0; i < 10000000; i++) a = f(a, b.l); \
        double t = (double)(__rdtsc() - start) / 1e7 / ratio; if (t < chain) chain = t; \
        start = __rdtsc(); \
        for (int i = 0; i < 2500000; i++) { c = f(c, b.l); d = f(d, b.l); e = f(e, b.l); g = f(g, b.l); } \
        t = (double)(__rdtsc() - start) / 1e7 / ratio; if (t < independent) independent = t; \
        if ((a.l[0] ^ c.l[0] ^ d.l[0] ^ e.l[0] ^ g.l[0]) == 42) puts(""); \
    } \
    printf("| %s | %d | %.1f | %.1f | %s |\n", label, model, chain, independent, verdict); \
} while (0)
int main(void)
{
    double ratio = ticks_per_cycle();
    printf("%.3f TSC ticks per core cycle (the project machine's TSC runs at 2.445 GHz, so the core at %.2f GHz)\n\n",
           ratio, 2.445 / ratio);
    printf("| kernel | model | chain (cycles) | 4 chains (cycles) | check |\n|---|---|---|---|---|\n");
CALLS
    return 0;
}
'''


def main():
    variants = [
        ("shipped", "shipped CIOS (m by MULX inside the product row)", shipped_kernel(), True),
        ("imul_m", "CIOS, m by IMUL into rdx after the product row", imul_m_kernel(), True),
        ("two_word", "two rounds at a time, 128-bit m", two_word_kernel(), True),
        ("early_product", "CIOS, product row of b[i+1] before reduction i", early_product_kernel(), True),
        ("no_final", "CIOS without the final subtraction (result < 2q)", imul_m_kernel(final=False), False),
    ]
    functions, calls = "", ""
    for name, label, (lines, results), check in variants:
        body = "\n".join('        "' + l + '\\n\\t"' for l in lines if not l.startswith("/*"))
        function = FUNCTION.replace("NAME", name).replace("BODY", body)
        function = function.replace("EXTRA", '[s5] "=&r"(s5),' if "%[s5]" in body else "")
        for j in range(4):
            function = function.replace(f"R{j}", results[j])
        functions += function
        calls += f'    MEASURE({name}, "{label}", {model_latency(lines, results)}, {int(check)});\n'
    with tempfile.TemporaryDirectory() as directory:
        source = os.path.join(directory, "variants.c")
        binary = os.path.join(directory, "variants")
        harness = HARNESS.replace("QINV_HIGH", hex(QINV_HIGH) + "ULL")
        open(source, "w").write(harness.replace("FUNCTIONS", functions).replace("CALLS", calls))
        subprocess.run(["clang", "-O2", "-I", INCLUDE, source, "-o", binary], check=True)
        subprocess.run([binary], check=True)


if __name__ == "__main__":
    main()
