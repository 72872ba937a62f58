#ifndef DL1_ZXING_H
#define DL1_ZXING_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A plain-C interface over zxing-cpp (a C++ library, which Swift does not call directly):
 * QR codes only, the exact bytes of each code, no exception crosses into the caller. */

/* What the reader tries beyond the plain frame. */
enum {
    DL1_ZXING_TRY_HARDER = 1,    /* more scan lines and finder-pattern candidates */
    DL1_ZXING_TRY_ROTATE = 2,    /* the frame turned by 90 degrees too */
    DL1_ZXING_TRY_DOWNSCALE = 4  /* smaller copies of large frames too */
};

/* The codes read in one frame. Each code's bytes are in data at offsets[i], lengths[i]. */
typedef struct {
    size_t count;
    size_t *offsets;
    size_t *lengths;
    unsigned char *data;
} dl1_zxing_codes;

/* Reads the QR codes in an 8-bit grey frame of width x height pixels, rows stride bytes apart.
 * Returns 0 and fills *out (release it with dl1_zxing_free), or -1 with a message in err
 * (a frame of a bad size, or an exception inside zxing-cpp). */
int dl1_zxing_read(const unsigned char *pixels, int width, int height, int stride, int options,
                   dl1_zxing_codes *out, char *err, size_t errlen);

void dl1_zxing_free(dl1_zxing_codes *codes);

#ifdef __cplusplus
}
#endif
#endif
