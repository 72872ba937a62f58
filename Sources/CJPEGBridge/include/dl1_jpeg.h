#ifndef DL1_JPEG_BRIDGE_H
#define DL1_JPEG_BRIDGE_H
#include <stddef.h>

/* A plain-C bridge over libjpeg, whose error handler must longjmp (Swift cannot).
 * Every function returns 0 on success, or -1 with a message in err. */

/* Decodes a JPEG to 8-bit grey. When the image has more than max_pixels pixels, libjpeg's
 * DCT scaling (1/2, 1/4, 1/8) is used so that the result stays within the bound where it can.
 * The pixels are malloc'ed; release them with dl1_jpeg_free. full_w/full_h receive the
 * image's own size before scaling. */
int dl1_jpeg_decode_grey(const unsigned char *data, size_t len, size_t max_pixels,
                         unsigned char **out, int *width, int *height,
                         int *full_width, int *full_height, char *err, size_t errlen);

/* Encodes 8-bit grey pixels as a baseline JPEG of the given quality (1-100). */
int dl1_jpeg_encode_grey(const unsigned char *pixels, int width, int height, int quality,
                         unsigned char **out, unsigned long *outlen, char *err, size_t errlen);

void dl1_jpeg_free(void *p);
#endif
