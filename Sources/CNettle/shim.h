#ifndef ZKINFER_CNETTLE_SHIM_H
#define ZKINFER_CNETTLE_SHIM_H
// Nettle's Keccak-f[1600] permutation (nettle_sha3_permute), for Ethereum's Keccak-256.
#include <nettle/sha3.h>
#endif
