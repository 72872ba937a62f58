#ifndef DL1_CPKCS11_SHIM_H
#define DL1_CPKCS11_SHIM_H
/* The PKCS#11 interface (p11-kit's self-contained header); modules are loaded with dlopen. */
#include <p11-kit/pkcs11.h>
#include <dlfcn.h>
#endif
