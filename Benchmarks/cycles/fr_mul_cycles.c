/* Cycles per Fr multiplication with the project's MULX/ADCX/ADOX kernel, in core clock cycles.
 *
 * The TSC ticks at a fixed rate, not at the core clock, so the core clock is measured first with a chain of
 * dependent additions (one cycle each). Run from the repository root:
 *   clang -O2 -march=native -I Sources/CFieldArithmetic/include Benchmarks/cycles/fr_mul_cycles.c -o /tmp/fr_mul_cycles
 *   /tmp/fr_mul_cycles
 */
#include <stdint.h>
#include <stdio.h>
#include <x86intrin.h>
#include "montgomery_adx.h"

static double ticks_per_cycle(void)
{
    uint64_t x = 0;
    uint64_t start = __rdtsc();
    for (long i = 0; i < 100000000; i++) {
        __asm__ volatile("addq $1, %0\n\taddq $1, %0\n\taddq $1, %0\n\taddq $1, %0" : "+r"(x));
    }
    return (double)(__rdtsc() - start) / 4e8;
}

int main(void)
{
    if (!zk_cpu_has_adx_bmi2()) {
        puts("this CPU has no MULX/ADCX/ADOX");
        return 1;
    }
    double ratio = ticks_per_cycle();
    zk_fe256 a = {{1, 2, 3, 4}}, b = {{5, 6, 7, 0x1000}};
    enum { count = 20000000 };
    uint64_t start = __rdtsc();
    for (int i = 0; i < count; i++) a = zk_bn254_fr_mul_adx(a, b);
    double chain = (double)(__rdtsc() - start) / count / ratio;
    zk_fe256 c = a, d = b, e = {{9, 9, 9, 9}}, f = {{3, 3, 3, 3}};
    start = __rdtsc();
    for (int i = 0; i < count / 4; i++) {
        c = zk_bn254_fr_mul_adx(c, b);
        d = zk_bn254_fr_mul_adx(d, b);
        e = zk_bn254_fr_mul_adx(e, b);
        f = zk_bn254_fr_mul_adx(f, b);
    }
    double independent = (double)(__rdtsc() - start) / count / ratio;
    printf("TSC ticks per core cycle: %.3f\n", ratio);
    printf("Fr mul, dependency chain: %.1f cycles\n", chain);
    printf("Fr mul, 4 independent chains: %.1f cycles (checksum %llu)\n", independent,
           (unsigned long long)(c.l[0] ^ d.l[0] ^ e.l[0] ^ f.l[0]));
    return 0;
}
