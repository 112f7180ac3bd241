/* .params files (mxl_arrays_*) and CachedOp (mxl_cached_op_*): loading a
 * model saved by another language and running its forward pass.
 *
 * These C ABI sections are newer than the rest; they are resolved by name
 * from the loaded core (dlsym), so the package still loads against a core
 * without them and the calls then raise NOT_IMPLEMENTED naming the missing
 * function.  The signatures are those of include/c_api.h ("files",
 * "executors"). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

#include "mxlite_r.h"

typedef struct mxl_array_list mxl_array_list_t;
typedef struct mxl_cached_op mxl_cached_op_t;

static struct {
  int resolved;
  int (*arrays_save)(const char*, int32_t, mxl_array_t* const*, const char* const*);
  int (*arrays_load)(const char*, mxl_array_list_t**);
  int (*list_size)(const mxl_array_list_t*, int32_t*, int32_t*);
  int (*list_get)(const mxl_array_list_t*, int32_t, mxl_array_t**, char*, uint64_t, uint64_t*);
  void (*list_free)(mxl_array_list_t*);
  int (*cop_create)(const mxl_symbol_t*, int32_t, const char* const*, const char* const*,
                    mxl_cached_op_t**);
  void (*cop_free)(mxl_cached_op_t*);
  int (*cop_invoke)(mxl_cached_op_t*, int32_t, mxl_array_t* const*, int32_t*, mxl_array_t**);
} api;

static void* core_symbol(const char* name) {
  static void* core = NULL;
  if (!core) {
    Dl_info info;
    if (dladdr((void*)&mxl_version, &info) && info.dli_fname)
      core = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (!core) return NULL;
  }
  return dlsym(core, name);
}

static void resolve(void) {
  if (api.resolved) return;
  *(void**)&api.arrays_save = core_symbol("mxl_arrays_save");
  *(void**)&api.arrays_load = core_symbol("mxl_arrays_load");
  *(void**)&api.list_size = core_symbol("mxl_array_list_size");
  *(void**)&api.list_get = core_symbol("mxl_array_list_get");
  *(void**)&api.list_free = core_symbol("mxl_array_list_free");
  *(void**)&api.cop_create = core_symbol("mxl_cached_op_create");
  *(void**)&api.cop_free = core_symbol("mxl_cached_op_free");
  *(void**)&api.cop_invoke = core_symbol("mxl_cached_op_invoke");
  api.resolved = 1;
}

static void need(const void* fn, const char* name) {
  if (!fn)
    mxr_raise(MXL_ERR_NOT_IMPLEMENTED, "this mxlite core has no %s (rebuild the core)", name);
}

/* ------------------------------------------------------------ .params */

/* .Call: save a list of arrays; names NULL for a list file. */
SEXP mxr_arrays_save(SEXP path, SEXP arrays, SEXP names) {
  resolve();
  need((void*)api.arrays_save, "mxl_arrays_save");
  int n = LENGTH(arrays);
  mxl_array_t** hs = (mxl_array_t**)R_alloc(n > 0 ? n : 1, sizeof(mxl_array_t*));
  for (int i = 0; i < n; ++i) hs[i] = mxr_array_handle(VECTOR_ELT(arrays, i), "mx.nd.save: data");
  const char** ns = NULL;
  if (names != R_NilValue) {
    if (TYPEOF(names) != STRSXP || LENGTH(names) != n)
      mxr_raise(MXL_ERR_VALUE, "mx.nd.save: %d names for %d arrays", LENGTH(names), n);
    ns = (const char**)R_alloc(n > 0 ? n : 1, sizeof(char*));
    for (int i = 0; i < n; ++i) ns[i] = CHAR(STRING_ELT(names, i));
  }
  MXR_CHECK(api.arrays_save(CHAR(STRING_ELT(path, 0)), n, hs, ns));
  return R_NilValue;
}

/* .Call: the arrays of a .params / mx.nd.save file as a list, named for a
 * dict file.  "none" entries come back as NULL. */
SEXP mxr_arrays_load(SEXP path) {
  resolve();
  need((void*)api.arrays_load, "mxl_arrays_load");
  need((void*)api.list_get, "mxl_array_list_get");
  if (TYPEOF(path) != STRSXP || LENGTH(path) != 1)
    mxr_raise(MXL_ERR_TYPE, "mx.nd.load: filename must be one string");
  mxl_array_list_t* list = NULL;
  MXR_CHECK(api.arrays_load(CHAR(STRING_ELT(path, 0)), &list));
  int32_t n = 0, has_names = 0;
  if (api.list_size(list, &n, &has_names) != 0) {
    api.list_free(list);
    mxr_raise_last();
  }
  /* Every R object is allocated before handles are taken, so a failure
   * cannot strand a handle outside R's ownership. */
  SEXP res = PROTECT(allocVector(VECSXP, n));
  SEXP names = PROTECT(allocVector(STRSXP, n));
  for (int i = 0; i < n; ++i) SET_VECTOR_ELT(res, i, mxr_array_shell());
  for (int i = 0; i < n; ++i) {
    uint64_t needed = 0;
    mxl_array_t* h = NULL;
    /* First the handle and the name's size, then the name (the second call
     * hands out another reference, released at once). */
    int rc = api.list_get(list, i, &h, NULL, 0, &needed);
    if (rc == 0) {
      if (h) R_SetExternalPtrAddr(VECTOR_ELT(res, i), h);
      else SET_VECTOR_ELT(res, i, R_NilValue);
      if (has_names && needed > 1) {
        char* buf = R_alloc(needed, 1);
        mxl_array_t* again = NULL;
        rc = api.list_get(list, i, &again, buf, needed, &needed);
        mxl_array_free(again);
        if (rc == 0) SET_STRING_ELT(names, i, mkCharCE(buf, CE_UTF8));
      }
    }
    if (rc != 0) {
      api.list_free(list);  /* the shells filled so far own their handles */
      mxr_raise_last();
    }
  }
  api.list_free(list);
  if (has_names) setAttrib(res, R_NamesSymbol, names);
  UNPROTECT(2);
  return res;
}

/* ----------------------------------------------------------- CachedOp */

SEXP mxr_tag_cached_op;

static void cached_op_finalizer(SEXP p) {
  mxl_cached_op_t* h = (mxl_cached_op_t*)R_ExternalPtrAddr(p);
  if (h) {
    resolve();
    if (api.cop_free) api.cop_free(h);
    R_ClearExternalPtr(p);
  }
}

/* .Call: compile a symbol into a CachedOp (flags: named character vector). */
SEXP mxr_cached_op_create(SEXP sym, SEXP flags) {
  resolve();
  need((void*)api.cop_create, "mxl_cached_op_create");
  mxl_symbol_t* s = mxr_symbol_handle(sym, "symbol");
  int n = LENGTH(flags);
  SEXP fnames = getAttrib(flags, R_NamesSymbol);
  const char** k = (const char**)R_alloc(n > 0 ? n : 1, sizeof(char*));
  const char** v = (const char**)R_alloc(n > 0 ? n : 1, sizeof(char*));
  for (int i = 0; i < n; ++i) {
    k[i] = CHAR(STRING_ELT(fnames, i));
    v[i] = CHAR(STRING_ELT(flags, i));
  }
  if (!mxr_tag_cached_op) mxr_tag_cached_op = install("mxlite_cached_op");
  SEXP out = PROTECT(R_MakeExternalPtr(NULL, mxr_tag_cached_op, sym));  /* keeps sym alive */
  R_RegisterCFinalizerEx(out, cached_op_finalizer, FALSE);
  mxl_cached_op_t* op = NULL;
  MXR_CHECK(api.cop_create(s, n, k, v, &op));
  R_SetExternalPtrAddr(out, op);
  UNPROTECT(1);
  return out;
}

/* .Call: run a CachedOp on a list of arrays (MXL_SYMBOL_INPUTS order);
 * returns the list of outputs. */
SEXP mxr_cached_op_invoke(SEXP cop, SEXP inputs) {
  resolve();
  need((void*)api.cop_invoke, "mxl_cached_op_invoke");
  if (TYPEOF(cop) != EXTPTRSXP || R_ExternalPtrTag(cop) != mxr_tag_cached_op ||
      !R_ExternalPtrAddr(cop))
    mxr_raise(MXL_ERR_INVALID_HANDLE, "not a live cached op");
  int n = LENGTH(inputs);
  mxl_array_t** ins = (mxl_array_t**)R_alloc(n > 0 ? n : 1, sizeof(mxl_array_t*));
  for (int i = 0; i < n; ++i) ins[i] = mxr_array_handle(VECTOR_ELT(inputs, i), "model input");
  enum { CAP = 64 };
  mxl_array_t* outs[CAP] = {0};
  SEXP res = PROTECT(allocVector(VECSXP, CAP));
  int32_t num = CAP;
  MXR_CHECK(api.cop_invoke((mxl_cached_op_t*)R_ExternalPtrAddr(cop), n, ins, &num, outs));
  /* Wrapping allocates; outputs beyond the first few are rare. */
  SEXP out = PROTECT(allocVector(VECSXP, num));
  for (int i = 0; i < num; ++i) SET_VECTOR_ELT(out, i, mxr_wrap_array(outs[i]));
  UNPROTECT(2);
  return out;
}

/* .Call: TRUE if the loaded core exports the named C ABI function. */
SEXP mxr_core_has(SEXP name) {
  return ScalarLogical(core_symbol(CHAR(STRING_ELT(name, 0))) != NULL);
}
