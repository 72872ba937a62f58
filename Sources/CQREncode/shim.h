#ifndef DL1_CQRENCODE_SHIM_H
#define DL1_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
