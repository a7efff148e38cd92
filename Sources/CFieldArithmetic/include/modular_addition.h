/*
 * modular_addition.h - r = a + b mod q and r = a - b mod q for 4x64-bit limbs, fully reduced inputs and
 * outputs, any odd q < 2^255. Straight-line carry chains (ADD/ADC, SUB/SBB) with a branch-free select:
 * which way the reduction goes depends on the data, so a branch would mispredict about half the time.
 * Written out limb by limb because Swift compiles these inline functions itself and does not unroll
 * loops here.
 */
#ifndef ZK_MODULAR_ADDITION_H
#define ZK_MODULAR_ADDITION_H

#include "montgomery_adx.h"

static inline zk_fe256 zk_add_mod(zk_fe256 a, zk_fe256 b, zk_fe256 q)
{
    unsigned long long c, borrow;
    zk_fe256 s, d, r;
    s.l[0] = __builtin_addcll(a.l[0], b.l[0], 0, &c);
    s.l[1] = __builtin_addcll(a.l[1], b.l[1], c, &c);
    s.l[2] = __builtin_addcll(a.l[2], b.l[2], c, &c);
    s.l[3] = __builtin_addcll(a.l[3], b.l[3], c, &c);
    d.l[0] = __builtin_subcll(s.l[0], q.l[0], 0, &borrow);
    d.l[1] = __builtin_subcll(s.l[1], q.l[1], borrow, &borrow);
    d.l[2] = __builtin_subcll(s.l[2], q.l[2], borrow, &borrow);
    d.l[3] = __builtin_subcll(s.l[3], q.l[3], borrow, &borrow);
    const uint64_t keep = 0 - (uint64_t)borrow; /* all ones when s < q */
    r.l[0] = (s.l[0] & keep) | (d.l[0] & ~keep);
    r.l[1] = (s.l[1] & keep) | (d.l[1] & ~keep);
    r.l[2] = (s.l[2] & keep) | (d.l[2] & ~keep);
    r.l[3] = (s.l[3] & keep) | (d.l[3] & ~keep);
    return r;
}

static inline zk_fe256 zk_sub_mod(zk_fe256 a, zk_fe256 b, zk_fe256 q)
{
    unsigned long long borrow, c;
    zk_fe256 d;
    d.l[0] = __builtin_subcll(a.l[0], b.l[0], 0, &borrow);
    d.l[1] = __builtin_subcll(a.l[1], b.l[1], borrow, &borrow);
    d.l[2] = __builtin_subcll(a.l[2], b.l[2], borrow, &borrow);
    d.l[3] = __builtin_subcll(a.l[3], b.l[3], borrow, &borrow);
    const uint64_t mask = 0 - (uint64_t)borrow; /* all ones when a < b: add q back */
    d.l[0] = __builtin_addcll(d.l[0], q.l[0] & mask, 0, &c);
    d.l[1] = __builtin_addcll(d.l[1], q.l[1] & mask, c, &c);
    d.l[2] = __builtin_addcll(d.l[2], q.l[2] & mask, c, &c);
    d.l[3] = __builtin_addcll(d.l[3], q.l[3] & mask, c, &c);
    return d;
}

#endif /* ZK_MODULAR_ADDITION_H */
