/* MXSymbol: an external pointer to an mxl_symbol_t (symbol JSON in and out,
 * name lists).  Running a loaded model is in predict.c. */
#include <string.h>

#include "mxlite_r.h"

SEXP mxr_tag_symbol;
static SEXP cls_symbol;

static void symbol_finalizer(SEXP p) {
  mxl_symbol_t* h = (mxl_symbol_t*)R_ExternalPtrAddr(p);
  if (h) {
    mxl_symbol_free(h);
    R_ClearExternalPtr(p);
  }
}

void mxr_symbol_init(void) {
  mxr_tag_symbol = install("mxlite_symbol");
  cls_symbol = mkString("MXSymbol");
  R_PreserveObject(cls_symbol);
  MARK_NOT_MUTABLE(cls_symbol);
}

SEXP mxr_symbol_shell(void) {
  SEXP p = PROTECT(R_MakeExternalPtr(NULL, mxr_tag_symbol, R_NilValue));
  R_RegisterCFinalizerEx(p, symbol_finalizer, FALSE);
  setAttrib(p, R_ClassSymbol, cls_symbol);
  UNPROTECT(1);
  return p;
}

mxl_symbol_t* mxr_symbol_handle(SEXP x, const char* what) {
  if (TYPEOF(x) != EXTPTRSXP || R_ExternalPtrTag(x) != mxr_tag_symbol)
    mxr_raise(MXL_ERR_TYPE, "%s must be an MXSymbol", what);
  mxl_symbol_t* h = (mxl_symbol_t*)R_ExternalPtrAddr(x);
  if (!h) mxr_raise(MXL_ERR_INVALID_HANDLE, "%s is an MXSymbol that has been disposed", what);
  return h;
}

/* A size-query string function's result as an R string. */
typedef int (*sized_fn)(const mxl_symbol_t*, int32_t, char*, uint64_t, uint64_t*);

static SEXP copy_string_result(const mxl_symbol_t* s, int32_t which, sized_fn fn) {
  uint64_t needed = 0;
  MXR_CHECK(fn(s, which, NULL, 0, &needed));
  char* buf = R_alloc(needed > 0 ? needed : 1, 1);
  MXR_CHECK(fn(s, which, buf, needed, &needed));
  return mkString(buf);
}

static int to_json_adapter(const mxl_symbol_t* s, int32_t which, char* b, uint64_t c,
                           uint64_t* n) {
  (void)which;
  return mxl_symbol_to_json(s, b, c, n);
}

/* .Call: a symbol from JSON text. */
SEXP mxr_symbol_load_json(SEXP json) {
  if (TYPEOF(json) != STRSXP || LENGTH(json) != 1 || STRING_ELT(json, 0) == NA_STRING)
    mxr_raise(MXL_ERR_TYPE, "mx.symbol.load.json: json must be one string");
  SEXP out = PROTECT(mxr_symbol_shell());
  mxl_symbol_t* s = NULL;
  MXR_CHECK(mxl_symbol_from_json(CHAR(STRING_ELT(json, 0)), &s));
  R_SetExternalPtrAddr(out, s);
  UNPROTECT(1);
  return out;
}

SEXP mxr_symbol_to_json(SEXP sym) {
  return copy_string_result(mxr_symbol_handle(sym, "symbol"), 0, to_json_adapter);
}

/* .Call: names as a JSON list (which: 0 arguments, 1 outputs, 2 auxiliary
 * states, 3 inputs); R parses it. */
SEXP mxr_symbol_list(SEXP sym, SEXP which) {
  return copy_string_result(mxr_symbol_handle(sym, "symbol"), asInteger(which),
                            mxl_symbol_list);
}

SEXP mxr_symbol_dispose(SEXP sym) {
  if (TYPEOF(sym) != EXTPTRSXP || R_ExternalPtrTag(sym) != mxr_tag_symbol)
    mxr_symbol_handle(sym, "symbol");
  symbol_finalizer(sym);
  return R_NilValue;
}

/* .Call: shape inference from named core shapes (a list of numeric
 * vectors); returns the core's JSON result, parsed in R. */
SEXP mxr_symbol_infer_shape(SEXP sym, SEXP names, SEXP shapes) {
  mxl_symbol_t* s = mxr_symbol_handle(sym, "symbol");
  int n = LENGTH(names);
  if (TYPEOF(names) != STRSXP || TYPEOF(shapes) != VECSXP || LENGTH(shapes) != n)
    mxr_raise(MXL_ERR_TYPE, "infer.shape: names and shapes must be of one length");
  const char** ns = (const char**)R_alloc(n > 0 ? n : 1, sizeof(char*));
  int32_t* nd = (int32_t*)R_alloc(n > 0 ? n : 1, sizeof(int32_t));
  int total = 0;
  for (int i = 0; i < n; ++i) total += LENGTH(VECTOR_ELT(shapes, i));
  int64_t* dims = (int64_t*)R_alloc(total > 0 ? total : 1, sizeof(int64_t));
  int k = 0;
  for (int i = 0; i < n; ++i) {
    SEXP v = PROTECT(coerceVector(VECTOR_ELT(shapes, i), REALSXP));
    ns[i] = CHAR(STRING_ELT(names, i));
    nd[i] = LENGTH(v);
    for (int j = 0; j < LENGTH(v); ++j) dims[k++] = (int64_t)REAL(v)[j];
    UNPROTECT(1);
  }
  uint64_t needed = 0;
  MXR_CHECK(mxl_symbol_infer_shape(s, n, ns, nd, dims, NULL, 0, &needed));
  char* buf = R_alloc(needed > 0 ? needed : 1, 1);
  MXR_CHECK(mxl_symbol_infer_shape(s, n, ns, nd, dims, buf, needed, &needed));
  return mkString(buf);
}
