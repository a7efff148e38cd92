#ifndef ZKINFER_COPENSSL_SHIM_H
#define ZKINFER_COPENSSL_SHIM_H
// OpenSSL's libcrypto: BLAKE2b-512 and SHA-256 (EVP digests) and ChaCha20 (EVP cipher), for ceremony transcripts.
#include <openssl/evp.h>
#endif
