#ifndef ZKINFER_CGMP_SHIM_H
#define ZKINFER_CGMP_SHIM_H
// GMP's public names (mpz_add, ...) are macros over __gmpz_* symbols, which Swift cannot import;
// BigNum calls the __gmpz_* / __gmpn_* functions this header declares.
#include <gmp.h>
#endif
