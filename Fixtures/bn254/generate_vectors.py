"""Generate BN254 known-answer test vectors for zkinfer from py-ecc 8.0.0.

py-ecc is an independent Python implementation of the BN254 ("bn128") curve,
so these vectors let the Swift code be checked against an outside reference.
The script writes Fixtures/bn254/vectors.json (next to this file) containing:

  * the G1 / G2 generators,
  * G1 and G2 scalar multiplications (edge scalars, random scalars, and
    scalars >= r whose results are those of the scalar reduced mod r),
  * G1 and G2 additions (random pairs, doubling, P + (-P), P + infinity),
  * multi-pairing product checks, each verified with py-ecc,
  * G2 points on the twist but outside the order-r subgroup, plus random
    in-subgroup G2 points for contrast,
  * G1 points with in-range coordinates that are not on the curve.

Conventions: integers are decimal strings; an Fq2 element c0 + c1*u
(u^2 = -1) is ["c0", "c1"]; G1 affine is ["x", "y"]; G2 affine is
[["x.c0", "x.c1"], ["y.c0", "y.c1"]]; the point at infinity is null.
All randomness comes from random.Random(20261122), so output is deterministic.

Run from the repository root:

  python3 -m venv .venv && .venv/bin/pip install -r Fixtures/bn254/requirements.txt && .venv/bin/python Fixtures/bn254/generate_vectors.py
"""

import json
import os
import random

from py_ecc import bn128 as ref  # plain affine implementation, used for cross-checks
from py_ecc import optimized_bn128 as bn
from py_ecc.optimized_bn128 import FQ, FQ2, FQ12

SEED = 20261122
P_MOD = 21888242871839275222246405745257275088696311157297823662689037894645226208583
R_ORD = 21888242871839275222246405745257275088548364400416034343698204186575808495617

assert bn.field_modulus == P_MOD
assert bn.curve_order == R_ORD
# py-ecc builds Fq2 as Fq[u]/(u^2 + 1): modulus coefficients (1, 0).
assert tuple(FQ2.FQ2_MODULUS_COEFFS) == (1, 0)
U = FQ2([0, 1])
assert U * U == FQ2([-1, 0])
# b2 = 3 / (9 + u)
assert bn.b2 == FQ2([3, 0]) / FQ2([9, 1])

rng = random.Random(SEED)
G1, G2 = bn.G1, bn.G2


# ---------------------------------------------------------------- encoding --

def enc_fq(v):
    return str(int(v))


def enc_fq2(v):
    c0, c1 = v.coeffs  # py-ecc order: (c0, c1) for c0 + c1*u
    return [str(int(c0)), str(int(c1))]


def affine(pt):
    """Jacobian -> affine tuple, or None for infinity.

    Note: py-ecc's normalize() on infinity silently returns (0, 0) because
    its field inverse of zero is zero, so infinity must be checked first.
    """
    if bn.is_inf(pt):
        return None
    return bn.normalize(pt)


def enc_g1(pt):
    a = affine(pt)
    if a is None:
        return None
    assert bn.is_on_curve(pt, bn.b)
    return [enc_fq(a[0]), enc_fq(a[1])]


def enc_g2(pt):
    a = affine(pt)
    if a is None:
        return None
    assert bn.is_on_curve(pt, bn.b2)
    return [enc_fq2(a[0]), enc_fq2(a[1])]


def to_ref(pt):
    """Optimized (Jacobian) point -> py_ecc.bn128 affine point (None = inf)."""
    a = affine(pt)
    if a is None:
        return None
    x, y = a
    if isinstance(x, FQ2):
        return (ref.FQ2([int(c) for c in x.coeffs]), ref.FQ2([int(c) for c in y.coeffs]))
    return (ref.FQ(int(x)), ref.FQ(int(y)))


def same_as_ref(opt_pt, ref_pt):
    got = to_ref(opt_pt)
    if got is None or ref_pt is None:
        return got is None and ref_pt is None
    return got[0] == ref_pt[0] and got[1] == ref_pt[1]


def rand_scalar():
    return rng.randrange(R_ORD)


def rand_nonzero_scalar():
    return rng.randrange(1, R_ORD)


# ------------------------------------------------------------ scalar mul ----

def scalar_list():
    s = [0, 1, 2, 3, R_ORD - 1, R_ORD]
    s += [rand_scalar() for _ in range(12)]
    s += [rng.randrange(R_ORD, 1 << 256) for _ in range(2)]
    return s


def scalar_mul_vectors(gen, enc, ref_gen, count_ref_checks):
    out = []
    for i, k in enumerate(scalar_list()):
        res = bn.multiply(gen, k)
        # the result must equal that of the scalar reduced mod r
        assert bn.eq(res, bn.multiply(gen, k % R_ORD))
        if i < count_ref_checks:
            assert same_as_ref(res, ref.multiply(ref_gen, k % R_ORD))
        out.append({"scalar": str(k), "result": enc(res)})
    return out


# -------------------------------------------------------------- addition ----

def add_vectors(gen, enc, zero, ref_gen):
    out = []
    for _ in range(10):
        a, b = rand_nonzero_scalar(), rand_nonzero_scalar()
        pa, pb = bn.multiply(gen, a), bn.multiply(gen, b)
        s = bn.add(pa, pb)
        assert bn.eq(s, bn.multiply(gen, (a + b) % R_ORD))
        assert same_as_ref(s, ref.add(ref.multiply(ref_gen, a), ref.multiply(ref_gen, b)))
        out.append({"p": enc(pa), "q": enc(pb), "sum": enc(s)})
    # doubling
    a = rand_nonzero_scalar()
    pa = bn.multiply(gen, a)
    s = bn.add(pa, pa)
    assert bn.eq(s, bn.multiply(gen, (2 * a) % R_ORD))
    out.append({"p": enc(pa), "q": enc(pa), "sum": enc(s)})
    # P + (-P) = infinity
    a = rand_nonzero_scalar()
    pa = bn.multiply(gen, a)
    s = bn.add(pa, bn.neg(pa))
    assert bn.is_inf(s)
    out.append({"p": enc(pa), "q": enc(bn.neg(pa)), "sum": None})
    # P + infinity = P
    a = rand_nonzero_scalar()
    pa = bn.multiply(gen, a)
    s = bn.add(pa, zero)
    assert bn.eq(s, pa)
    out.append({"p": enc(pa), "q": None, "sum": enc(s)})
    return out


# -------------------------------------------------------------- pairings ----

def pairing_product(pairs):
    """Product of py-ecc pairing(Q, P) over pairs [(P in G1, Q in G2), ...].

    optimized_bn128.pairing accepts the point at infinity (z == 0) for either
    argument and returns FQ12.one() for it, so no special-casing is needed;
    we still assert that behaviour explicitly below.
    """
    acc = FQ12.one()
    for p1, q2 in pairs:
        acc = acc * bn.pairing(q2, p1)
    return acc == FQ12.one()


def pairing_vectors():
    P, Q = G1, G2
    mul, neg = bn.multiply, bn.neg
    checks = []

    def add_check(name, pairs, expected):
        got = pairing_product(pairs)
        assert got == expected, (name, got, expected)
        checks.append({
            "name": name,
            "pairs": [[enc_g1(p1), enc_g2(q2)] for p1, q2 in pairs],
            "product_is_one": got,
        })

    # infinity is accepted and pairs to one
    assert bn.pairing(bn.Z2, P) == FQ12.one()
    assert bn.pairing(Q, bn.Z1) == FQ12.one()

    a, b = rand_nonzero_scalar(), rand_nonzero_scalar()
    add_check("bilinearity",
              [(mul(P, a), mul(Q, b)), (neg(mul(P, a * b % R_ORD)), Q)], True)

    add_check("inverse", [(P, Q), (neg(P), Q)], True)

    a_s = [rand_nonzero_scalar() for _ in range(4)]
    b_s = [rand_nonzero_scalar() for _ in range(3)]
    partial = sum(x * y for x, y in zip(a_s[:3], b_s)) % R_ORD
    b4 = (-partial) * pow(a_s[3], -1, R_ORD) % R_ORD
    b_s.append(b4)
    assert sum(x * y for x, y in zip(a_s, b_s)) % R_ORD == 0
    add_check("four_pair_product",
              [(mul(P, x), mul(Q, y)) for x, y in zip(a_s, b_s)], True)
    b_pert = b_s[:3] + [(b4 + 1) % R_ORD]
    add_check("four_pair_perturbed",
              [(mul(P, x), mul(Q, y)) for x, y in zip(a_s, b_pert)], False)

    a, b = rand_nonzero_scalar(), rand_nonzero_scalar()
    add_check("bilinearity_wrong",
              [(mul(P, a), mul(Q, b)), (neg(mul(P, (a * b + 1) % R_ORD)), Q)], False)

    add_check("single_nondegenerate", [(P, Q)], False)

    add_check("with_infinity",
              [(bn.Z1, Q), (P, bn.Z2), (P, Q), (neg(P), Q)], True)

    a = rand_nonzero_scalar()
    add_check("swap_scalars", [(mul(P, a), Q), (neg(P), mul(Q, a))], True)
    return checks


# ------------------------------------------------- G2 subgroup membership ---

def fq_sqrt(a):
    """Square root in Fq (p = 3 mod 4), or None."""
    assert P_MOD % 4 == 3
    s = a ** ((P_MOD + 1) // 4)
    return s if s * s == a else None


def fq2_sqrt(a):
    """Square root in Fq2 = Fq[u]/(u^2+1) via the norm method, or None.

    For a = a0 + a1*u, N(a) = a0^2 + a1^2. If x = x0 + x1*u squares to a then
    x0^2 = (a0 + sqrt(N)) / 2 for one choice of sign of sqrt(N), and
    x1 = a1 / (2*x0) (with the a1 == 0 case handled separately).
    """
    a0, a1 = (FQ(int(c)) for c in a.coeffs)
    if a1 == FQ.zero():
        s = fq_sqrt(a0)
        if s is not None:
            return FQ2([int(s), 0])
        s = fq_sqrt(-a0)  # a0 = -(s^2) = (s*u)^2
        return None if s is None else FQ2([0, int(s)])
    n = fq_sqrt(a0 * a0 + a1 * a1)
    if n is None:
        return None
    half = FQ(1) / FQ(2)
    for cand in ((a0 + n) * half, (a0 - n) * half):
        x0 = fq_sqrt(cand)
        if x0 is None or x0 == FQ.zero():
            continue
        x1 = a1 / (x0 * 2)
        root = FQ2([int(x0), int(x1)])
        if root * root == a:
            return root
    return None


def twist_points_not_in_subgroup(count):
    out = []
    while len(out) < count:
        x = FQ2([rng.randrange(P_MOD), rng.randrange(P_MOD)])
        rhs = x ** 3 + bn.b2
        y = fq2_sqrt(rhs)
        if y is None:
            continue
        assert y * y == rhs
        pt = (x, y, FQ2.one())
        assert bn.is_on_curve(pt, bn.b2)
        if bn.is_inf(bn.multiply(pt, R_ORD)):
            continue  # astronomically unlikely: landed in the subgroup
        out.append(enc_g2(pt))
    return out


def g1_off_curve(count):
    out = []
    while len(out) < count:
        x, y = rng.randrange(P_MOD), rng.randrange(P_MOD)
        if FQ(y) ** 2 == FQ(x) ** 3 + 3:
            continue
        assert not bn.is_on_curve((FQ(x), FQ(y), FQ.one()), bn.b)
        out.append([str(x), str(y)])
    return out


# ------------------------------------------------------------------ main ----

def main():
    # the generators agree between the two py-ecc implementations
    assert same_as_ref(G1, ref.G1) and same_as_ref(G2, ref.G2)
    # infinity: Jacobian with z == 0 in optimized_bn128, None in bn128
    assert bn.is_inf(bn.Z1) and bn.is_inf(bn.Z2) and ref.Z1 is None and ref.Z2 is None

    vectors = {
        "source": "py_ecc 8.0.0 (optimized_bn128)",
        "seed": SEED,
        "g1_generator": enc_g1(G1),
        "g2_generator": enc_g2(G2),
        "g1_scalar_mul": scalar_mul_vectors(G1, enc_g1, ref.G1, 20),
        "g2_scalar_mul": scalar_mul_vectors(G2, enc_g2, ref.G2, 8),
        "g1_add": add_vectors(G1, enc_g1, bn.Z1, ref.G1),
        "g2_add": add_vectors(G2, enc_g2, bn.Z2, ref.G2),
        "pairing_checks": pairing_vectors(),
        "g2_on_twist_not_in_subgroup": twist_points_not_in_subgroup(3),
    }
    in_sub = []
    for _ in range(3):
        pt = bn.multiply(G2, rand_nonzero_scalar())
        assert bn.is_inf(bn.multiply(pt, R_ORD))
        in_sub.append(enc_g2(pt))
    vectors["g2_in_subgroup_random"] = in_sub
    vectors["g1_off_curve"] = g1_off_curve(3)

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
    with open(path, "w") as f:
        json.dump(vectors, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
