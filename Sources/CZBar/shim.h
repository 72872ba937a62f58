#ifndef DL1_CZBAR_SHIM_H
#define DL1_CZBAR_SHIM_H
#include <zbar.h>
/* zbar_fourcc is a macro. */
static inline unsigned long dl1_zbar_fourcc_Y800(void) { return zbar_fourcc('Y', '8', '0', '0'); }
#endif
