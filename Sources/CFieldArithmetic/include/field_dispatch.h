#ifndef ZK_FIELD_DISPATCH_H
#define ZK_FIELD_DISPATCH_H
#include "montgomery_adx.h"
#include "bn254_fq2.h"
#include "modular_addition.h"

/* 1 when the MULX/ADCX/ADOX assembly may be used (set once at load time by dispatch.c). */
extern int zk_adx_enabled;

/* Read-only access for Swift (a C global var is shared mutable state to Swift 6; it is written
   only once, before main). */
static inline int zk_use_adx(void) { return zk_adx_enabled; }

#endif
