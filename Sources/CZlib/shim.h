#ifndef DL1_CZLIB_SHIM_H
#define DL1_CZLIB_SHIM_H
#include <zlib.h>
/* deflateInit/inflateInit are macros. */
static inline int dl1_deflateInit(z_streamp s, int level) { return deflateInit(s, level); }
static inline int dl1_deflateInit2(z_streamp s, int level, int windowBits, int memLevel) {
    return deflateInit2(s, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}
static inline int dl1_inflateInit(z_streamp s) { return inflateInit(s); }
#endif
