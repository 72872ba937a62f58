#ifndef DL1_CPNG_SHIM_H
#define DL1_CPNG_SHIM_H
#include <png.h>
static inline const char *dl1_png_version(void) { return PNG_LIBPNG_VER_STRING; }
#endif
