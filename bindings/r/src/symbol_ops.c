/* Composing symbols: generated mx.symbol.* functions (the same op specs as
 * mx.nd.*, see invoke.c), variables and groups. */
#include "mxlite_r.h"

#define SMALL 16

static mxl_symbol_t* input_symbol(SEXP x, const char* op, const char* arg) {
  if (TYPEOF(x) == EXTPTRSXP && R_ExternalPtrTag(x) == mxr_tag_symbol && R_ExternalPtrAddr(x))
    return (mxl_symbol_t*)R_ExternalPtrAddr(x);
  char what[256];
  snprintf(what, sizeof what, "Operator %s: argument '%s'", op, arg);
  return mxr_symbol_handle(x, what);
}

/* .Call: the op applied to input symbols (NULL inputs become variables named
 * "<node>_<input>"); name NULL for an automatic node name. */
SEXP mxr_symbol_op(SEXP spec, SEXP inputs, SEXP params, SEXP extras, SEXP name) {
  mxr_reset_scratch();
  SEXP opname_s = STRING_ELT(VECTOR_ELT(spec, 0), 0);
  const char* opname = CHAR(opname_s);
  SEXP inames = VECTOR_ELT(spec, 1);
  int variadic = INTEGER(VECTOR_ELT(spec, 4))[0];
  mxl_symbol_t* ins_small[SMALL];
  const char* ikeys_small[SMALL];
  mxl_symbol_t** ins = ins_small;
  const char** ikeys = ikeys_small;
  int nin = 0;
  if (variadic) {
    SEXP x = VECTOR_ELT(inputs, 0);
    const char* arg = LENGTH(inames) ? CHAR(STRING_ELT(inames, 0)) : "data";
    if (TYPEOF(x) == VECSXP) {
      nin = LENGTH(x);
      if (nin > SMALL) ins = (mxl_symbol_t**)R_alloc(nin, sizeof(mxl_symbol_t*));
      for (int i = 0; i < nin; ++i) ins[i] = input_symbol(VECTOR_ELT(x, i), opname, arg);
    } else if (x != R_NilValue) {
      nin = 1;
      ins[0] = input_symbol(x, opname, arg);
    }
    ikeys = NULL;  /* variadic ops take positional inputs only */
  } else {
    int m = LENGTH(inputs);
    if (m > SMALL) {
      ins = (mxl_symbol_t**)R_alloc(m, sizeof(mxl_symbol_t*));
      ikeys = (const char**)R_alloc(m, sizeof(char*));
    }
    for (int i = 0; i < m; ++i) {
      SEXP x = VECTOR_ELT(inputs, i);
      if (x == R_NilValue) continue;
      const char* key = CHAR(STRING_ELT(inames, i));
      ikeys[nin] = key;
      ins[nin] = input_symbol(x, opname, key);
      ++nin;
    }
  }
  int np = LENGTH(params), ne = LENGTH(extras);
  const char** keys = (const char**)R_alloc(np + ne + 1, sizeof(char*));
  const char** vals = (const char**)R_alloc(np + ne + 1, sizeof(char*));
  int na = mxr_format_attrs(spec, params, extras, -1, keys, vals, NULL);
  const char* nm = NULL;
  if (name != R_NilValue) {
    if (TYPEOF(name) != STRSXP || LENGTH(name) != 1 || STRING_ELT(name, 0) == NA_STRING)
      mxr_raise(MXL_ERR_TYPE, "Operator %s: name must be one string", opname);
    nm = CHAR(STRING_ELT(name, 0));
  }
  int owned = 0;
  mxl_op_t* op = mxr_op_for(opname_s, &owned);
  SEXP out = PROTECT(mxr_symbol_shell());
  mxl_symbol_t* s = NULL;
  int rc = mxl_symbol_create_op(op, na, keys, vals, nin, ikeys, ins, nm, &s);
  if (owned) mxl_op_free(op);
  if (rc != 0) mxr_raise_last();
  R_SetExternalPtrAddr(out, s);
  UNPROTECT(1);
  return out;
}

/* .Call: a variable (graph input). */
SEXP mxr_symbol_variable(SEXP name) {
  if (TYPEOF(name) != STRSXP || LENGTH(name) != 1 || STRING_ELT(name, 0) == NA_STRING)
    mxr_raise(MXL_ERR_TYPE, "mx.symbol.Variable: name must be one string");
  SEXP out = PROTECT(mxr_symbol_shell());
  mxl_symbol_t* s = NULL;
  MXR_CHECK(mxl_symbol_create_variable(CHAR(STRING_ELT(name, 0)), &s));
  R_SetExternalPtrAddr(out, s);
  UNPROTECT(1);
  return out;
}

/* .Call: the outputs of a list of symbols as one symbol. */
SEXP mxr_symbol_group(SEXP symbols) {
  int n = LENGTH(symbols);
  mxl_symbol_t** hs = (mxl_symbol_t**)R_alloc(n > 0 ? n : 1, sizeof(mxl_symbol_t*));
  for (int i = 0; i < n; ++i) hs[i] = mxr_symbol_handle(VECTOR_ELT(symbols, i), "symbol");
  SEXP out = PROTECT(mxr_symbol_shell());
  mxl_symbol_t* s = NULL;
  MXR_CHECK(mxl_symbol_group(n, hs, &s));
  R_SetExternalPtrAddr(out, s);
  UNPROTECT(1);
  return out;
}
