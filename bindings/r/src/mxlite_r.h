/* Shared declarations of the R package's C glue.
 *
 * The glue is C only and talks to the core through include/c_api.h.  Every
 * core call returns a status; on failure the glue frees what it owns, then
 * raises an R condition (which longjmps).  Because no C++ frame is ever on the
 * stack between .Call and a raise, the longjmp is safe.  Temporary buffers
 * come from R_alloc, which R releases at the end of .Call even after a raise.
 */
#ifndef MXLITE_R_H_
#define MXLITE_R_H_

#include <R.h>
#include <Rinternals.h>
#include <stdint.h>

#include "c_api.h"

/* Tags of the external pointers, so an array is never taken for a symbol. */
extern SEXP mxr_tag_array;
extern SEXP mxr_tag_symbol;
extern SEXP mxr_tag_list;
extern SEXP mxr_tag_executor;

/* Raise the core's last error as an R condition of class
 * c("mxlite_error", "error", "condition") with fields message and kind. */
void mxr_raise_last(void) __attribute__((noreturn));
/* Raise a glue-detected error with an MXL_ERR_* kind. */
void mxr_raise(int kind, const char* fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
/* Check a status: on failure raise the core's last error. */
#define MXR_CHECK(call)                 \
  do {                                  \
    if ((call) != 0) mxr_raise_last();  \
  } while (0)

/* The handle inside an MXNDArray (raises TYPE for other objects and
 * INVALID_HANDLE for a disposed one).  what names the argument. */
mxl_array_t* mxr_array_handle(SEXP x, const char* what);
/* A new MXNDArray owning h (a new reference); frees h if R cannot allocate. */
SEXP mxr_wrap_array(mxl_array_t* h);
/* An MXNDArray shell with no handle yet: allocate before a core call that
 * returns a handle, then fill with R_SetExternalPtrAddr (no R allocation
 * between the core's success and the handle being owned by R). */
SEXP mxr_array_shell(void);

/* The same for symbols. */
mxl_symbol_t* mxr_symbol_handle(SEXP x, const char* what);
SEXP mxr_symbol_shell(void);

/* Number of op handles the glue caches for the life of the process (they
 * count in mxl_live_handles; leak checks subtract them). */
int mxr_cached_ops(void);

/* Attribute keys and values of a generated op call (spec as in invoke.c)
 * in MXNet's text form; keys/vals hold LENGTH(params) + LENGTH(extras)
 * entries.  count_default >= 0 fills an unset variadic count parameter;
 * *cap (may be NULL) receives a num_outputs value.  Returns the count. */
int mxr_format_attrs(SEXP spec, SEXP params, SEXP extras, int count_default,
                     const char** keys, const char** vals, int* cap);
/* Start a new call's scratch space for formatted values. */
void mxr_reset_scratch(void);
/* The cached handle of the op named by a CHARSXP (*owned: free after use). */
mxl_op_t* mxr_op_for(SEXP name, int* owned);

/* A C string copied into R_alloc memory (freed when .Call returns). */
char* mxr_strdup(const char* s);

#endif  /* MXLITE_R_H_ */
