#!/usr/bin/env python3
"""Generates include/montgomery_adx.h beside this script (the asm bodies are emitted by the
functions below; the result is a plain, self-contained header)."""
import sys


import re
def to_ptr(lines):
    out = []
    for l in lines:
        l = re.sub(r"%\[([abq])([0-3])\]", lambda m: f"{8*int(m.group(2))}(%[p{m.group(1)}])", l)
        out.append(l)
    return out

def q(l):  # quote one asm line
    return l if l.startswith("/*") else '"' + l + '\\n\\t"'

def ind(lines, n=8):
    return "\n".join(" " * n + q(l) for l in lines)

def mul_body(zmem=False):
    """CIOS, one 64-bit limb of b per round. m for each round is computed with
    MULX (flag-neutral) right after t0 is final, so it can issue early."""
    S = ["s0", "s1", "s2", "s3", "s4"]
    L = []; e = L.append
    off = 0
    T = lambda j: "%[" + S[(j + off) % 5] + "]"
    LO, HI, DX, M = "%[lo]", "%[hi]", "%%rdx", "%[m]"
    Z = "%[zero]" if zmem else "%[z]"
    XOR = "xorl %k[lo], %k[lo]" if zmem else "xorl %k[z], %k[z]"
    def early_m(i):
        e(f"movq %[qinv], {DX}")
        e(f"mulxq {T(0)}, {M}, {HI}")
        e(f"movq %[b{i}], {DX}")
    for i in range(4):
        e(f"/* round {i}: t += a*b[{i}] (m = t0*qinv as soon as t0 is final) */")
        e(f"movq %[b{i}], {DX}")
        e(XOR)
        if i == 0:
            e(f"mulxq %[a0], {T(0)}, {T(1)}")
            early_m(0)
            for j in range(1, 4):
                e(f"mulxq %[a{j}], {LO}, {T(j+1)}")
                e(f"adcxq {LO}, {T(j)}")
            e(f"adcxq {Z}, {T(4)}")
        else:
            for j in range(3):
                e(f"mulxq %[a{j}], {LO}, {HI}")
                e(f"adoxq {LO}, {T(j)}")
                e(f"adcxq {HI}, {T(j+1)}")
                if j == 0:
                    early_m(i)
            e(f"mulxq %[a3], {LO}, {T(4)}")
            e(f"adoxq {LO}, {T(3)}")
            e(f"adcxq {Z}, {T(4)}")
            e(f"adoxq {Z}, {T(4)}")
        e(f"/* round {i}: t = (t + m*q) / 2^64 */")
        e(f"movq {M}, {DX}")
        e(XOR)
        for j in range(4):
            e(f"mulxq %[q{j}], {LO}, {HI}")
            e(f"adoxq {LO}, {T(j)}")
            e(f"adcxq {HI}, {T(j+1)}")
        e(f"adoxq {Z}, {T(4)}")
        off += 1
    tmp = [T(4), LO, HI, DX]
    final_subtraction(e, T, tmp)
    return L, [S[(j + off) % 5] for j in range(4)]

def final_subtraction(e, T, spare):
    """r = t >= q ? t - q : t for t in T(0..3), using four spare registers; branch-free."""
    e("/* r = t >= q ? t - q : t */")
    for j in range(4):
        e(f"movq {T(j)}, {spare[j]}")
        e(f"{'subq' if j == 0 else 'sbbq'} %[q{j}], {spare[j]}")
    for j in range(4):
        e(f"cmovncq {spare[j]}, {T(j)}")


def reduction_rounds(e, S, Z="%[zero]"):
    """Montgomery-reduces the four limbs in slots S[0..3] (S[4] spare): four rounds of
    t = (t + (t0 * qinv mod 2^64) * q) / 2^64 in a window that rotates by one slot per round.
    Returns the rotation, 4: the result is in S[4], S[0], S[1], S[2] and is at most q."""
    LO, HI, DX = "%[lo]", "%[hi]", "%%rdx"
    off = 0
    T = lambda j: "%[" + S[(j + off) % 5] + "]"
    for i in range(4):
        e(f"/* reduction round {i} */")
        e(f"movq {T(0)}, {DX}")
        e(f"imulq %[qinv], {DX}")
        e(f"xorl %k[lo], %k[lo]")
        for j in range(3):
            e(f"mulxq %[q{j}], {LO}, {HI}")
            e(f"adoxq {LO}, {T(j)}")
            e(f"adcxq {HI}, {T(j+1)}")
        e(f"mulxq %[q3], {LO}, {T(4)}")
        e(f"adoxq {LO}, {T(3)}")
        e(f"adcxq {Z}, {T(4)}")
        e(f"adoxq {Z}, {T(4)}")
        off += 1
    return off


def sqr_body(areg=False):
    '''areg: a0..a3 live in registers (operands a0..a3, clobbered); p0 reuses
    a0's register and the spare reduction slot t reuses a1's register.'''
    L = []; e = L.append
    LO, HI, DX, Z = "%[lo]", "%[hi]", "%%rdx", "%[zero]"
    P = lambda k: ("%[a0]" if (areg and k == 0) else "%[p" + str(k) + "]")
    e("/* off-diagonal products a_i*a_j (i<j) into p1..p6 */")
    e(f"movq %[a0], {DX}")
    e(f"xorl %k[lo], %k[lo]")
    e(f"mulxq %[a1], {P(1)}, {P(2)}")
    e(f"mulxq %[a2], {LO}, {P(3)}")
    e(f"adcxq {LO}, {P(2)}")
    e(f"mulxq %[a3], {LO}, {P(4)}")
    e(f"adcxq {LO}, {P(3)}")
    e(f"adcxq {Z}, {P(4)}")
    e(f"movq %[a1], {DX}")
    e(f"mulxq %[a2], {LO}, {HI}")
    e(f"adoxq {LO}, {P(3)}")
    e(f"adcxq {HI}, {P(4)}")
    e(f"mulxq %[a3], {LO}, {P(5)}")
    e(f"adoxq {LO}, {P(4)}")
    e(f"adcxq {Z}, {P(5)}")
    e(f"adoxq {Z}, {P(5)}")
    e(f"movq %[a2], {DX}")
    e(f"mulxq %[a3], {LO}, {P(6)}")
    e(f"adcxq {LO}, {P(5)}")
    e(f"adcxq {Z}, {P(6)}")
    e("/* p = 2*p + diagonal squares (CF chain doubles, OF chain adds a_i^2) */")
    e(f"movq %[a0], {DX}")
    e(f"mulxq {DX}, {P(0)}, {HI}")
    e(f"xorl %k[lo], %k[lo]")
    e(f"adcxq {P(1)}, {P(1)}")
    e(f"adoxq {HI}, {P(1)}")
    for i in (1, 2):
        e(f"movq %[a{i}], {DX}")
        e(f"mulxq {DX}, {LO}, {HI}")
        e(f"adcxq {P(2*i)}, {P(2*i)}")
        e(f"adoxq {LO}, {P(2*i)}")
        e(f"adcxq {P(2*i+1)}, {P(2*i+1)}")
        e(f"adoxq {HI}, {P(2*i+1)}")
    e(f"movq %[a3], {DX}")
    e(f"mulxq {DX}, {LO}, {P(7)}")
    e(f"adcxq {P(6)}, {P(6)}")
    e(f"adoxq {LO}, {P(6)}")
    e(f"adcxq {Z}, {P(7)}")
    e(f"adoxq {Z}, {P(7)}")
    # reduction of the low half p0..p3 with a spare slot; slots rotate
    S = ["a0" if areg else "p0", "p1", "p2", "p3", "a1" if areg else "t"]
    off = reduction_rounds(e, S)
    T = lambda j: "%[" + S[(j + off) % 5] + "]"
    e("/* t += high half */")
    for j in range(4):
        e(f"{'addq' if j == 0 else 'adcq'} {P(4+j)}, {T(j)}")
    tmp = [T(4), LO, HI, DX]
    final_subtraction(e, T, tmp)
    res = [S[(j + off) % 5] for j in range(4)]
    return L, res


HEADER = r'''/*
 * montgomery_adx.h - 4x64-bit Montgomery multiplication for 254-bit prime fields
 * (BN254 Fq / Fr, or any odd modulus q < 2^254, i.e. top limb < 2^62).
 *
 * Every function computes r = a * b * 2^-256 mod q for fully reduced inputs
 * (a, b < q) and returns a fully reduced result (r < q). Limbs are little
 * endian, qinv = -q^-1 mod 2^64. r may alias a and/or b.
 *
 *   zk_mont_mul_portable / zk_mont_sqr_portable   plain C, unsigned __int128
 *   zk_mont_mul_adx      / zk_mont_sqr_adx        x86-64 inline asm, MULX+ADCX+ADOX
 *   zk_cpu_has_adx_bmi2                           run-time CPUID check
 *   zk_mont_mul / zk_mont_sqr                     ADX asm if ZK_ASSUME_ADX is defined
 *                                                 or the compiler targets ADX+BMI2,
 *                                                 portable otherwise
 *   zk_fe256 + *_val variants                     by-value wrappers (cheapest from Swift)
 *
 * The asm needs BMI2+ADX only at run time: nothing here requires -mbmi2/-madx,
 * so the header can be imported by Swift as is. Callers must check
 * zk_cpu_has_adx_bmi2() once (e.g. at start-up) before using the *_adx functions.
 *
 * Algorithm (multiplication): CIOS without the extra carry word. Because
 * q < 2^254 the accumulator stays < 2q, so t + a*b[i] + m*q < 2^320 fits in
 * five limbs and one final conditional subtraction suffices. Each round runs
 * two independent carry chains (ADCX: CF, high halves; ADOX: OF, low halves).
 * m = t0*qinv is computed with MULX (which leaves the flags alone) as soon as
 * t0 is final, so the reduction can start before the product row has ended.
 * Squaring: 6 off-diagonal + 4 diagonal MULX (instead of 16), doubling and
 * diagonal accumulation in two parallel carry chains, then Montgomery reduction
 * of the low 256 bits alone, and finally + high 256 bits: since q < 2^254,
 * (lo + M*q)/2^256 <= q and hi < q/4, so one conditional subtraction suffices.
 *
 * This file is generated by Sources/CFieldArithmetic/generate_header.py; edit that, not this.
 */
#ifndef ZK_MONTGOMERY_ADX_H
#define ZK_MONTGOMERY_ADX_H

#include <stdint.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define ZK_HAVE_ADX_ASM 1
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* 256-bit value passed by value (imported into Swift as a struct with a
   4-tuple field `l`). */
typedef struct zk_fe256 { uint64_t l[4]; } zk_fe256;

/* ---------------------------------------------------------------------- */
/* Portable version                                                        */
/* ---------------------------------------------------------------------- */

static inline void zk_mont_mul_portable(uint64_t r[4], const uint64_t a[4],
                                        const uint64_t b[4], const uint64_t q[4],
                                        uint64_t qinv)
{
    typedef unsigned __int128 u128;
    const uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    const uint64_t q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3];
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int i = 0; i < 4; i++) {
        const uint64_t bi = b[i];
        u128 w;
        uint64_t c, c2, m, u0, u1, u2, u3;
        /* u = t + a*b[i]: five limbs u0..u3, c */
        w = (u128)a0 * bi + t0;      u0 = (uint64_t)w; c = (uint64_t)(w >> 64);
        w = (u128)a1 * bi + t1 + c;  u1 = (uint64_t)w; c = (uint64_t)(w >> 64);
        w = (u128)a2 * bi + t2 + c;  u2 = (uint64_t)w; c = (uint64_t)(w >> 64);
        w = (u128)a3 * bi + t3 + c;  u3 = (uint64_t)w; c = (uint64_t)(w >> 64);
        /* t = (u + m*q) / 2^64 */
        m = u0 * qinv;
        w = (u128)m * q0 + u0;       c2 = (uint64_t)(w >> 64);
        w = (u128)m * q1 + u1 + c2;  t0 = (uint64_t)w; c2 = (uint64_t)(w >> 64);
        w = (u128)m * q2 + u2 + c2;  t1 = (uint64_t)w; c2 = (uint64_t)(w >> 64);
        w = (u128)m * q3 + u3 + c2;  t2 = (uint64_t)w; c2 = (uint64_t)(w >> 64);
        t3 = c + c2;
    }
    {   /* conditional subtraction, branch-free */
        u128 d;
        uint64_t s0, s1, s2, s3, borrow, keep;
        d = (u128)t0 - q0;          s0 = (uint64_t)d; borrow = (uint64_t)(d >> 64) & 1;
        d = (u128)t1 - q1 - borrow; s1 = (uint64_t)d; borrow = (uint64_t)(d >> 64) & 1;
        d = (u128)t2 - q2 - borrow; s2 = (uint64_t)d; borrow = (uint64_t)(d >> 64) & 1;
        d = (u128)t3 - q3 - borrow; s3 = (uint64_t)d; borrow = (uint64_t)(d >> 64) & 1;
        keep = 0 - borrow; /* all ones iff t < q */
        r[0] = (t0 & keep) | (s0 & ~keep);
        r[1] = (t1 & keep) | (s1 & ~keep);
        r[2] = (t2 & keep) | (s2 & ~keep);
        r[3] = (t3 & keep) | (s3 & ~keep);
    }
}

static inline void zk_mont_sqr_portable(uint64_t r[4], const uint64_t a[4],
                                        const uint64_t q[4], uint64_t qinv)
{
    zk_mont_mul_portable(r, a, a, q, qinv);
}

/* ---------------------------------------------------------------------- */
/* x86-64 MULX/ADCX/ADOX version                                           */
/* ---------------------------------------------------------------------- */
#ifdef ZK_HAVE_ADX_ASM

/* 1 if the CPU supports BMI2 (MULX) and ADX (ADCX/ADOX), else 0. */
static inline int zk_cpu_has_adx_bmi2(void)
{
    unsigned int eax, ebx, ecx, edx;
    if (__get_cpuid_max(0, 0) < 7)
        return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    (void)eax; (void)ecx; (void)edx;
    return ((ebx >> 8) & 1) /* BMI2 */ && ((ebx >> 19) & 1) /* ADX */;
}

/* A zero in memory, used as the "add carry only" source operand. */
static const uint64_t zk_zero_limb = 0;

static inline void zk_mont_mul_adx(uint64_t r[4], const uint64_t a[4],
                                   const uint64_t b[4], const uint64_t q[4],
                                   uint64_t qinv)
{
    uint64_t s0, s1, s2, s3, s4, lo, hi, z, m;
#if defined(__OPTIMIZE__)
    /* optimized builds: every limb is its own memory operand (shared base
       registers, RIP-relative for constant moduli) */
    __asm__(
MULBODY
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3),
          [s4] "=&r"(s4), [lo] "=&r"(lo), [hi] "=&r"(hi), [z] "=&r"(z), [m] "=&r"(m)
        : [a0] "m"(a[0]), [a1] "m"(a[1]), [a2] "m"(a[2]), [a3] "m"(a[3]),
          [b0] "m"(b[0]), [b1] "m"(b[1]), [b2] "m"(b[2]), [b3] "m"(b[3]),
          [q0] "m"(q[0]), [q1] "m"(q[1]), [q2] "m"(q[2]), [q3] "m"(q[3]),
          [qinv] "m"(qinv)
        : "rdx", "cc");
#else
    /* unoptimized builds (-O0 / Swift debug): one register per array, since
       -O0 would otherwise spend a register per memory operand */
    __asm__(
MULPBODY
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3),
          [s4] "=&r"(s4), [lo] "=&r"(lo), [hi] "=&r"(hi), [z] "=&r"(z), [m] "=&r"(m)
        : [pa] "r"(a), [pb] "r"(b), [pq] "r"(q), [qinv] "m"(qinv)
        : "rdx", "cc", "memory");
#endif
    (void)lo; (void)hi; (void)z; (void)m;
    r[0] = MULR0; r[1] = MULR1; r[2] = MULR2; r[3] = MULR3;
}

static inline void zk_mont_sqr_adx(uint64_t r[4], const uint64_t a[4],
                                   const uint64_t q[4], uint64_t qinv)
{
    uint64_t p0, p1, p2, p3, p4, p5, p6, p7, t, lo, hi;
#if defined(__OPTIMIZE__)
    __asm__(
SQRBODY
        : [p0] "=&r"(p0), [p1] "=&r"(p1), [p2] "=&r"(p2), [p3] "=&r"(p3),
          [p4] "=&r"(p4), [p5] "=&r"(p5), [p6] "=&r"(p6), [p7] "=&r"(p7),
          [t] "=&r"(t), [lo] "=&r"(lo), [hi] "=&r"(hi)
        : [a0] "m"(a[0]), [a1] "m"(a[1]), [a2] "m"(a[2]), [a3] "m"(a[3]),
          [q0] "m"(q[0]), [q1] "m"(q[1]), [q2] "m"(q[2]), [q3] "m"(q[3]),
          [qinv] "m"(qinv), [zero] "m"(zk_zero_limb)
        : "rdx", "cc");
#else
    __asm__(
SQRPBODY
        : [p0] "=&r"(p0), [p1] "=&r"(p1), [p2] "=&r"(p2), [p3] "=&r"(p3),
          [p4] "=&r"(p4), [p5] "=&r"(p5), [p6] "=&r"(p6), [p7] "=&r"(p7),
          [t] "=&r"(t), [lo] "=&r"(lo), [hi] "=&r"(hi)
        : [pa] "r"(a), [pq] "r"(q), [qinv] "m"(qinv), [zero] "m"(zk_zero_limb)
        : "rdx", "cc", "memory");
#endif
    (void)lo; (void)hi;
    r[0] = SQRR0; r[1] = SQRR1; r[2] = SQRR2; r[3] = SQRR3;
}

#else /* !ZK_HAVE_ADX_ASM */

static inline int zk_cpu_has_adx_bmi2(void) { return 0; }

#endif /* ZK_HAVE_ADX_ASM */

/* Compile-time selection: ADX asm when the build guarantees the CPU has it. */
#if defined(ZK_HAVE_ADX_ASM) && (defined(ZK_ASSUME_ADX) || (defined(__ADX__) && defined(__BMI2__)))
#define ZK_MONT_MUL_IMPL zk_mont_mul_adx
#define ZK_MONT_SQR_IMPL zk_mont_sqr_adx
#else
#define ZK_MONT_MUL_IMPL zk_mont_mul_portable
#define ZK_MONT_SQR_IMPL zk_mont_sqr_portable
#endif

static inline void zk_mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                               const uint64_t q[4], uint64_t qinv)
{
    ZK_MONT_MUL_IMPL(r, a, b, q, qinv);
}

static inline void zk_mont_sqr(uint64_t r[4], const uint64_t a[4],
                               const uint64_t q[4], uint64_t qinv)
{
    ZK_MONT_SQR_IMPL(r, a, q, qinv);
}

/* ---------------------------------------------------------------------- */
/* By-value wrappers                                                       */
/* ---------------------------------------------------------------------- */

static inline zk_fe256 zk_mont_mul_portable_val(zk_fe256 a, zk_fe256 b,
                                                const uint64_t q[4], uint64_t qinv)
{
    zk_fe256 r;
    zk_mont_mul_portable(r.l, a.l, b.l, q, qinv);
    return r;
}

#ifdef ZK_HAVE_ADX_ASM
static inline zk_fe256 zk_mont_mul_adx_val(zk_fe256 a, zk_fe256 b,
                                           const uint64_t q[4], uint64_t qinv)
{
    zk_fe256 r;
    zk_mont_mul_adx(r.l, a.l, b.l, q, qinv);
    return r;
}

static inline zk_fe256 zk_mont_sqr_adx_val(zk_fe256 a, const uint64_t q[4], uint64_t qinv)
{
    zk_fe256 r;
    zk_mont_sqr_adx(r.l, a.l, q, qinv);
    return r;
}
#endif

/* ---------------------------------------------------------------------- */
/* Fixed-modulus variants with the first operand in registers               */
/* ---------------------------------------------------------------------- */
/*
 * zk_mont_mul_adx_fixed / zk_mont_sqr_adx_fixed keep a (the operand that is
 * usually the loop-carried one) in registers instead of memory, which saves a
 * store->load round trip per call in dependency chains. They use 13 (mul) or
 * 14 (sqr) general registers, so q and qinv MUST be addresses of objects with
 * static storage (RIP-relative operands, no base register), e.g. the BN254
 * constants below; otherwise the compiler reports "inline assembly requires
 * more registers than available".
 */
#if defined(ZK_HAVE_ADX_ASM) && defined(__clang__) && defined(__OPTIMIZE__)
static inline zk_fe256 zk_mont_mul_adx_fixed(zk_fe256 a, const uint64_t b[4],
                                             const uint64_t q[4], const uint64_t *qinv)
{
    uint64_t s0, s1, s2, s3, s4, lo, hi, m;
    zk_fe256 r;
    __asm__(
MULRBODY
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3),
          [s4] "=&r"(s4), [lo] "=&r"(lo), [hi] "=&r"(hi), [m] "=&r"(m)
        : [a0] "r"(a.l[0]), [a1] "r"(a.l[1]), [a2] "r"(a.l[2]), [a3] "r"(a.l[3]),
          [b0] "m"(b[0]), [b1] "m"(b[1]), [b2] "m"(b[2]), [b3] "m"(b[3]),
          [q0] "m"(q[0]), [q1] "m"(q[1]), [q2] "m"(q[2]), [q3] "m"(q[3]),
          [qinv] "m"(*qinv), [zero] "m"(zk_zero_limb)
        : "rdx", "cc");
    (void)lo; (void)hi; (void)m;
    r.l[0] = MULRR0; r.l[1] = MULRR1; r.l[2] = MULRR2; r.l[3] = MULRR3;
    return r;
}

static inline zk_fe256 zk_mont_sqr_adx_fixed(zk_fe256 a, const uint64_t q[4],
                                             const uint64_t *qinv)
{
    uint64_t a0 = a.l[0], a1 = a.l[1], a2 = a.l[2], a3 = a.l[3];
    uint64_t p1, p2, p3, p4, p5, p6, p7, lo, hi;
    zk_fe256 r;
    __asm__(
SQRRBODY
        : [a0] "+&r"(a0), [a1] "+&r"(a1), [a2] "+&r"(a2), [a3] "+&r"(a3),
          [p1] "=&r"(p1), [p2] "=&r"(p2), [p3] "=&r"(p3),
          [p4] "=&r"(p4), [p5] "=&r"(p5), [p6] "=&r"(p6), [p7] "=&r"(p7),
          [lo] "=&r"(lo), [hi] "=&r"(hi)
        : [q0] "m"(q[0]), [q1] "m"(q[1]), [q2] "m"(q[2]), [q3] "m"(q[3]),
          [qinv] "m"(*qinv), [zero] "m"(zk_zero_limb)
        : "rdx", "cc");
    (void)lo; (void)hi; (void)a2; (void)a3;
    r.l[0] = SQRRR0; r.l[1] = SQRRR1; r.l[2] = SQRRR2; r.l[3] = SQRRR3;
    return r;
}
#elif defined(ZK_HAVE_ADX_ASM)
/* GCC's register allocator, and any compiler at -O0, does not fit the
   register-operand versions; use the memory-operand ones. */
static inline zk_fe256 zk_mont_mul_adx_fixed(zk_fe256 a, const uint64_t b[4],
                                             const uint64_t q[4], const uint64_t *qinv)
{
    zk_fe256 r;
    zk_mont_mul_adx(r.l, a.l, b, q, *qinv);
    return r;
}
static inline zk_fe256 zk_mont_sqr_adx_fixed(zk_fe256 a, const uint64_t q[4],
                                             const uint64_t *qinv)
{
    zk_fe256 r;
    zk_mont_sqr_adx(r.l, a.l, q, *qinv);
    return r;
}
#endif /* ZK_HAVE_ADX_ASM */

/* ---------------------------------------------------------------------- */
/* BN254 wrappers (modulus baked in, by value: the cheapest call from Swift) */
/* ---------------------------------------------------------------------- */

/* base field Fq */
static const uint64_t zk_bn254_fq_modulus[4] = {
    0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const uint64_t zk_bn254_fq_qinv = 0x87d20782e4866389ULL;
/* scalar field Fr */
static const uint64_t zk_bn254_fr_modulus[4] = {
    0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const uint64_t zk_bn254_fr_qinv = 0xc2e1f593efffffffULL;

#ifdef ZK_HAVE_ADX_ASM
static inline zk_fe256 zk_bn254_fq_mul_adx(zk_fe256 a, zk_fe256 b)
{ return zk_mont_mul_adx_fixed(a, b.l, zk_bn254_fq_modulus, &zk_bn254_fq_qinv); }
static inline zk_fe256 zk_bn254_fq_sqr_adx(zk_fe256 a)
{ return zk_mont_sqr_adx_fixed(a, zk_bn254_fq_modulus, &zk_bn254_fq_qinv); }
static inline zk_fe256 zk_bn254_fr_mul_adx(zk_fe256 a, zk_fe256 b)
{ return zk_mont_mul_adx_fixed(a, b.l, zk_bn254_fr_modulus, &zk_bn254_fr_qinv); }
static inline zk_fe256 zk_bn254_fr_sqr_adx(zk_fe256 a)
{ return zk_mont_sqr_adx_fixed(a, zk_bn254_fr_modulus, &zk_bn254_fr_qinv); }
#endif
static inline zk_fe256 zk_bn254_fq_mul_portable(zk_fe256 a, zk_fe256 b)
{ return zk_mont_mul_portable_val(a, b, zk_bn254_fq_modulus, zk_bn254_fq_qinv); }
static inline zk_fe256 zk_bn254_fr_mul_portable(zk_fe256 a, zk_fe256 b)
{ return zk_mont_mul_portable_val(a, b, zk_bn254_fr_modulus, zk_bn254_fr_qinv); }

#ifdef __cplusplus
}
#endif

#endif /* ZK_MONTGOMERY_ADX_H */
'''


def main():
    mul_lines, mul_res = mul_body()
    sqr_lines, sqr_res = sqr_body()
    mulr_lines, mulr_res = mul_body(zmem=True)
    sqrr_lines, sqrr_res = sqr_body(areg=True)

    hdr = HEADER
    hdr = hdr.replace("MULBODY", ind(mul_lines)).replace("SQRBODY", ind(sqr_lines))
    hdr = hdr.replace("MULPBODY", ind(to_ptr(mul_lines))).replace("SQRPBODY", ind(to_ptr(sqr_lines)))
    hdr = hdr.replace("MULRBODY", ind(mulr_lines)).replace("SQRRBODY", ind(sqrr_lines))
    for i in range(4):
        hdr = hdr.replace(f"MULRR{i}", mulr_res[i]).replace(f"SQRRR{i}", sqrr_res[i])
    for i in range(4):
        hdr = hdr.replace(f"MULR{i}", mul_res[i]).replace(f"SQRR{i}", sqr_res[i])
    import os
    open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "include", "montgomery_adx.h"), "w").write(hdr)
    print("ok", mul_res, sqr_res)


if __name__ == "__main__":
    main()
