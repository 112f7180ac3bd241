/* Core errors -> R conditions.
 *
 * The condition itself is built by the R function .mx.raise (R/errors.R), so
 * its class and fields are defined in one place; C only hands over the kind
 * and the message.  Everything the caller allocated with R_alloc is released
 * by R after the longjmp, and callers free core handles before raising. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mxlite_r.h"

static const char* kind_name(int kind) {
  switch (kind) {
    case MXL_ERR_VALUE: return "VALUE";
    case MXL_ERR_TYPE: return "TYPE";
    case MXL_ERR_INDEX: return "INDEX";
    case MXL_ERR_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
    case MXL_ERR_NOT_IMPLEMENTED: return "NOT_IMPLEMENTED";
    case MXL_ERR_KEY: return "KEY";
    case MXL_ERR_RUNTIME: return "RUNTIME";
    case MXL_ERR_INVALID_HANDLE: return "INVALID_HANDLE";
    default: return "UNKNOWN";
  }
}

static void raise_condition(int kind, const char* message) __attribute__((noreturn));
static void raise_condition(int kind, const char* message) {
  SEXP ns = PROTECT(R_FindNamespace(PROTECT(mkString("mxlite"))));
  SEXP fn = PROTECT(findFun(install(".mx.raise"), ns));
  SEXP call = PROTECT(lang3(fn, PROTECT(mkString(kind_name(kind))), PROTECT(mkString(message))));
  eval(call, ns);
  /* .mx.raise always signals an error; this line is not reached. */
  error("%s", message);
}

void mxr_raise_last(void) {
  char small[1024];
  uint64_t needed = 0;
  int32_t kind = 0;
  mxl_last_error(&kind, small, sizeof small, &needed);
  const char* msg = small;
  if (needed > sizeof small) {
    char* big = R_alloc(needed, 1);
    mxl_last_error(&kind, big, needed, NULL);
    msg = big;
  }
  if (kind == MXL_OK) kind = MXL_ERR_RUNTIME;  /* a status without a recorded error */
  raise_condition(kind, msg);
}

void mxr_raise(int kind, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  raise_condition(kind, buf);
}

char* mxr_strdup(const char* s) {
  size_t n = strlen(s) + 1;
  char* p = R_alloc(n, 1);
  memcpy(p, s, n);
  return p;
}
