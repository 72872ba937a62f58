#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>
#include "dl1_jpeg.h"

/* What one decode may take. A progressive (or multi-scan) JPEG keeps every coefficient of the
 * whole image until its last scan, whatever scale it is decoded at: 2 bytes per pixel and
 * component, so a file of a few hundred bytes that declares 65500x65500 pixels would ask for
 * gigabytes. libjpeg has no backing store here, so past this it stops with an error. */
#define DL1_JPEG_MAX_MEMORY (256L * 1024 * 1024)
/* A photo has about ten scans; thousands of empty ones only cost time. */
#define DL1_JPEG_MAX_SCANS 100

struct dl1_err {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char *msg;
    size_t msglen;
};

static void dl1_error_exit(j_common_ptr cinfo) {
    struct dl1_err *e = (struct dl1_err *)cinfo->err;
    char buf[JMSG_LENGTH_MAX];
    int code = cinfo->err->msg_code;
    if (code == JERR_OUT_OF_MEMORY || code == JERR_NO_BACKING_STORE) {
        j_decompress_ptr d = (j_decompress_ptr)cinfo;
        snprintf(buf, sizeof buf, "image of %ux%u pixels needs more than %ld MiB to decode",
                 cinfo->is_decompressor ? d->image_width : 0, cinfo->is_decompressor ? d->image_height : 0,
                 DL1_JPEG_MAX_MEMORY / (1024 * 1024));
    } else {
        (*cinfo->err->format_message)(cinfo, buf);
    }
    if (e->msg && e->msglen) { snprintf(e->msg, e->msglen, "%s", buf); }
    longjmp(e->jump, 1);
}

/* Called by libjpeg as it goes: stops a file with more scans than any photo has. */
static void dl1_progress(j_common_ptr cinfo) {
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (cinfo->is_decompressor && d->input_scan_number > DL1_JPEG_MAX_SCANS) {
        struct dl1_err *e = (struct dl1_err *)cinfo->err;
        if (e->msg && e->msglen) { snprintf(e->msg, e->msglen, "more than %d scans", DL1_JPEG_MAX_SCANS); }
        longjmp(e->jump, 1);
    }
}

static void dl1_output_message(j_common_ptr cinfo) { (void)cinfo; /* silence warnings */ }

int dl1_jpeg_decode_grey(const unsigned char *data, size_t len, size_t max_pixels,
                         unsigned char **out, int *width, int *height,
                         int *full_width, int *full_height, char *err, size_t errlen) {
    struct jpeg_decompress_struct cinfo;
    struct dl1_err jerr;
    unsigned char *volatile pixels = NULL;
    unsigned char *volatile line = NULL;
    *out = NULL;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&jerr.mgr);
    jerr.mgr.error_exit = dl1_error_exit;
    jerr.mgr.output_message = dl1_output_message;
    jerr.msg = err; jerr.msglen = errlen;
    if (setjmp(jerr.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(line);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.mem->max_memory_to_use = DL1_JPEG_MAX_MEMORY;
    struct jpeg_progress_mgr progress = { .progress_monitor = dl1_progress };
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    *full_width = (int)cinfo.image_width;
    *full_height = (int)cinfo.image_height;
    /* libjpeg converts YCbCr and RGB to grey itself, but not CMYK/YCCK (print-ready files): those
     * are decoded as CMYK and converted below. */
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_GRAYSCALE;
    cinfo.scale_num = 1;
    cinfo.scale_denom = 1;
    while (cinfo.scale_denom < 8 &&
           /* libjpeg rounds scaled sizes up, so the bound must too. */
           (((size_t)cinfo.image_width + cinfo.scale_denom - 1) / cinfo.scale_denom) *
           (((size_t)cinfo.image_height + cinfo.scale_denom - 1) / cinfo.scale_denom) > max_pixels) {
        cinfo.scale_denom *= 2;
    }
    jpeg_start_decompress(&cinfo);
    size_t w = cinfo.output_width, h = cinfo.output_height;
    if (cinfo.output_components != (cmyk ? 4 : 1) || w == 0 || h == 0 || w * h > max_pixels) {
        if (err && errlen) snprintf(err, errlen, "image of %ux%u pixels is too large to decode",
                                    cinfo.image_width, cinfo.image_height);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    pixels = malloc(w * h);
    if (!pixels) {
        if (err && errlen) snprintf(err, errlen, "out of memory");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    if (cmyk) {
        line = malloc(w * 4);
        if (!line) {
            if (err && errlen) snprintf(err, errlen, "out of memory");
            jpeg_destroy_decompress(&cinfo);
            free(pixels);
            return -1;
        }
        while (cinfo.output_scanline < cinfo.output_height) {
            size_t y = cinfo.output_scanline;
            JSAMPROW row = line;
            jpeg_read_scanlines(&cinfo, &row, 1);
            for (size_t x = 0; x < w; x++) {
                /* Adobe CMYK JPEGs store inverted inks: each value is already (255 - ink). */
                unsigned int c = line[4 * x], m = line[4 * x + 1], yy = line[4 * x + 2], k = line[4 * x + 3];
                unsigned int r = c * k / 255, g = m * k / 255, b = yy * k / 255;
                pixels[y * w + x] = (unsigned char)((299 * r + 587 * g + 114 * b) / 1000);
            }
        }
        free(line);
        line = NULL;
    } else {
        while (cinfo.output_scanline < cinfo.output_height) {
            JSAMPROW row = pixels + (size_t)cinfo.output_scanline * w;
            jpeg_read_scanlines(&cinfo, &row, 1);
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    *out = pixels;
    *width = (int)w;
    *height = (int)h;
    return 0;
}

int dl1_jpeg_encode_grey(const unsigned char *pixels, int width, int height, int quality,
                         unsigned char **out, unsigned long *outlen, char *err, size_t errlen) {
    struct jpeg_compress_struct cinfo;
    struct dl1_err jerr;
    unsigned char *mem = NULL;
    unsigned long memlen = 0;
    *out = NULL; *outlen = 0;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&jerr.mgr);
    jerr.mgr.error_exit = dl1_error_exit;
    jerr.mgr.output_message = dl1_output_message;
    jerr.msg = err; jerr.msglen = errlen;
    if (setjmp(jerr.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(mem);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &mem, &memlen);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = 1;
    cinfo.in_color_space = JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * (size_t)width);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = mem;
    *outlen = memlen;
    return 0;
}

void dl1_jpeg_free(void *p) { free(p); }
