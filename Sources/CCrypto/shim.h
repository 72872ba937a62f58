#ifndef DL1_CCRYPTO_SHIM_H
#define DL1_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/asn1.h>
#include <openssl/pkcs12.h>
#include <time.h>

/* Function-like macros that Swift cannot import. */
static inline long dl1_BIO_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
static inline void dl1_OPENSSL_free(void *p) { OPENSSL_free(p); }
static inline int dl1_EVP_PKEY_CTX_set_ec_paramgen_curve_nid(EVP_PKEY_CTX *c, int nid) { return EVP_PKEY_CTX_set_ec_paramgen_curve_nid(c, nid); }
static inline time_t dl1_timegm(struct tm *t) { return timegm(t); }
static inline unsigned long dl1_XN_FLAG_ONELINE_UTF8(void) { return (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB); }
static inline int dl1_MBSTRING_UTF8(void) { return MBSTRING_UTF8; }
static inline uint32_t dl1_EXFLAG_CA(void) { return EXFLAG_CA; }
static inline uint32_t dl1_EXFLAG_KUSAGE(void) { return EXFLAG_KUSAGE; }
static inline uint32_t dl1_EXFLAG_INVALID(void) { return EXFLAG_INVALID; }
static inline uint32_t dl1_EXFLAG_BCONS(void) { return EXFLAG_BCONS; }
static inline uint32_t dl1_KU_DIGITAL_SIGNATURE(void) { return KU_DIGITAL_SIGNATURE; }
#endif
