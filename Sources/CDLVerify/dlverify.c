/*
 * The C interface is implemented in Swift (Sources/DL1VerifyCABI). This target exists so
 * that dlverify.h is the one definition of the interface's types, shared by the Swift
 * implementation and by C callers; the checks below keep the header's promises.
 */
#include "dlverify.h"

_Static_assert(DLV_OK == 0, "DLV_OK must be 0");
_Static_assert(sizeof(dlv_verdict) == sizeof(int), "enums are int-sized");
