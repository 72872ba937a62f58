#ifndef DL1_CJPEG_SHIM_H
#define DL1_CJPEG_SHIM_H
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
#endif
