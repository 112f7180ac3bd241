/* Check helpers shared by the ABI example programs (C11, header-only). */
#ifndef MXL_ABI_CHECK_H_
#define MXL_ABI_CHECK_H_
#include <stdio.h>

#include "c_api.h"

static int failures = 0;

static void check(int ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

/* Prints the library's last error when a call fails; returns 1 on success. */
static int call_ok(int status, const char* what) {
  if (status == MXL_OK) return 1;
  char msg[512];
  int32_t kind = 0;
  mxl_last_error(&kind, msg, sizeof msg, NULL);
  fprintf(stderr, "FAILED: %s returned %d (kind %d): %s\n", what, status, (int)kind, msg);
  ++failures;
  return 0;
}

#endif /* MXL_ABI_CHECK_H_ */
