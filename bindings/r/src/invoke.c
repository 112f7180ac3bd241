/* The one path from R to mxl_invoke.
 *
 * Generated op functions (R/ops_*.R) call mxr_invoke with a constant "spec"
 * describing the op: list(name, input names, parameter names, parameter type
 * codes, info = c(variadic, count param index, num_outputs param index,
 * listed outputs)).  Parameter values arrive as R values (NULL = unset, not
 * sent, so the core applies its default) and are formatted here in MXNet's
 * text form, so a call costs one .Call and no R-level string work. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mxlite_r.h"

enum { T_GENERIC = 0, T_INT = 1, T_FLOAT = 2, T_BOOL = 3, T_STR = 4, T_SHAPE = 5, T_DTYPE = 6,
       T_ENUM = 7 };

/* ------------------------------------------------------------- op cache */

/* Op handles by name.  R interns strings (one CHARSXP per distinct string),
 * so the CHARSXP's address identifies the name; the names are preserved so
 * an address is never reused for another string. */
#define CACHE_SLOTS 4096
static struct {
  SEXP key;
  mxl_op_t* op;
} cache[CACHE_SLOTS];
static int n_cached = 0;

int mxr_cached_ops(void) { return n_cached; }

/* The op named by the CHARSXP; *owned = 1 when the caller must free it
 * (only when the cache is full, which needs more names than the registry has). */
static mxl_op_t* op_for(SEXP name, int* owned) {
  size_t i = (size_t)(((uintptr_t)name >> 3) * 2654435761u) % CACHE_SLOTS;
  for (int probe = 0; probe < CACHE_SLOTS; ++probe, i = (i + 1) % CACHE_SLOTS) {
    if (cache[i].key == name) {
      *owned = 0;
      return cache[i].op;
    }
    if (cache[i].key == NULL) break;
  }
  mxl_op_t* op = NULL;
  MXR_CHECK(mxl_op_get(CHAR(name), &op));
  if (n_cached < CACHE_SLOTS / 2 && cache[i].key == NULL) {
    R_PreserveObject(name);
    cache[i].key = name;
    cache[i].op = op;
    ++n_cached;
    *owned = 0;
  } else {
    *owned = 1;
  }
  return op;
}

/* ----------------------------------------------------------- formatting */

/* Formatted values live in a scratch arena reset by every invoke (R runs
 * one .Call at a time on its thread; a raise just leaves the arena to the
 * next reset), so the common call allocates no R memory for its strings. */
static char arena[8192];
static size_t arena_pos = 0;

static char* scratch(size_t n) {
  if (arena_pos + n <= sizeof arena) {
    char* p = arena + arena_pos;
    arena_pos += n;
    return p;
  }
  return R_alloc(n, 1);
}

/* Decimal digits of |v| < 1e18 (an integer) at p; returns the end.  Done by
 * hand: snprintf costs microseconds per call inside R's locale set-up. */
static char* put_int(char* p, long long v) {
  char tmp[24];
  int n = 0;
  unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *p++ = '-';
  while (n) *p++ = tmp[--n];
  *p = 0;
  return p;
}

static const char* fmt_double(double v) {
  if (isnan(v)) return "nan";
  if (isinf(v)) return v > 0 ? "inf" : "-inf";
  char* buf = scratch(32);
  if (v == trunc(v) && fabs(v) < 1e15) {
    char* end = put_int(buf, (long long)v);  /* "2.0": still a float to MXNet's parser */
    memcpy(end, ".0", 3);
    return buf;
  }
  snprintf(buf, 32, "%.15g", v);  /* shortest form that reads back the same */
  if (strtod(buf, NULL) != v) snprintf(buf, 32, "%.17g", v);
  return buf;
}

static const char* fmt_int(double v, const char* op, const char* key) {
  if (isnan(v) || v != trunc(v) || fabs(v) > 9.2e18)
    mxr_raise(MXL_ERR_TYPE, "Operator %s: parameter '%s' must be an integer, got %g", op, key, v);
  char* buf = scratch(24);
  put_int(buf, (long long)v);
  return buf;
}

static double num_elt(SEXP v, R_xlen_t i) {
  switch (TYPEOF(v)) {
    case REALSXP: return REAL(v)[i];
    case INTSXP: return INTEGER(v)[i] == NA_INTEGER ? NAN : INTEGER(v)[i];
    case LGLSXP: return LOGICAL(v)[i] == NA_LOGICAL ? NAN : LOGICAL(v)[i];
    default: return NAN;
  }
}

static int is_num(SEXP v) {
  return TYPEOF(v) == REALSXP || TYPEOF(v) == INTSXP || TYPEOF(v) == LGLSXP;
}

/* "(3, 3)", "(3,)", "()"; NA entries become None (shapes with unknown
 * entries, e.g. slice's begin). */
static const char* fmt_tuple(SEXP v, const char* op, const char* key) {
  R_xlen_t n = XLENGTH(v);
  char* buf = scratch((size_t)n * 24 + 4);
  char* p = buf;
  *p++ = '(';
  for (R_xlen_t i = 0; i < n; ++i) {
    double x = num_elt(v, i);
    if (i) { *p++ = ','; *p++ = ' '; }
    if (isnan(x)) {
      memcpy(p, "None", 4);
      p += 4;
    } else {
      const char* s = fmt_int(x, op, key);
      size_t l = strlen(s);
      memcpy(p, s, l);
      p += l;
    }
  }
  if (n == 1) *p++ = ',';
  *p++ = ')';
  *p = 0;
  return buf;
}

static const char* type_desc(int type) {
  static const char* names[] = {"a value", "an integer", "a number", "TRUE or FALSE",
                                "a string", "an integer vector (shape)", "a dtype name",
                                "one of the documented strings"};
  return (type >= 0 && type <= 7) ? names[type] : "a value";
}

/* value -> MXNet text for a parameter of the given type code. */
static const char* fmt_value(SEXP v, int type, const char* op, const char* key) {
  if (TYPEOF(v) == STRSXP && XLENGTH(v) == 1 && STRING_ELT(v, 0) != NA_STRING)
    return CHAR(STRING_ELT(v, 0));  /* text is passed as it is */
  if (is_num(v)) {
    R_xlen_t n = XLENGTH(v);
    if (type == T_SHAPE) return fmt_tuple(v, op, key);
    if (n == 1) {
      double x = num_elt(v, 0);
      switch (type) {
        case T_INT: return fmt_int(x, op, key);
        case T_FLOAT: return fmt_double(x);
        case T_BOOL:
          if (isnan(x)) break;
          return x != 0 ? "True" : "False";
        case T_GENERIC: case T_STR:
          if (TYPEOF(v) == LGLSXP && !isnan(x)) return x != 0 ? "True" : "False";
          /* R's 1 is a double: integral values are sent as integers, which
           * float parameters accept too. */
          if (!isnan(x) && x == trunc(x) && fabs(x) < 9e18) return fmt_int(x, op, key);
          return fmt_double(x);
        default: break;
      }
    } else if (type == T_GENERIC) {
      return fmt_tuple(v, op, key);
    }
  }
  mxr_raise(MXL_ERR_TYPE, "Operator %s: parameter '%s' must be %s, got a %s of length %ld", op,
            key, type_desc(type), type2char(TYPEOF(v)), (long)XLENGTH(v));
}

/* --------------------------------------------------------------- invoke */

#define SMALL 16

static SEXP do_invoke(mxl_op_t* op, int owned, int nin, mxl_array_t** ins, int nattr,
                      const char** keys, const char** vals, SEXP out, int cap) {
  if (out != R_NilValue) {
    int n = (TYPEOF(out) == VECSXP) ? LENGTH(out) : 1;
    mxl_array_t** outs = (mxl_array_t**)R_alloc(n > 0 ? n : 1, sizeof(mxl_array_t*));
    for (int i = 0; i < n; ++i)
      outs[i] = mxr_array_handle(TYPEOF(out) == VECSXP ? VECTOR_ELT(out, i) : out, "out");
    int32_t num = n;
    int rc = mxl_invoke(op, nin, ins, nattr, keys, vals, &num, outs);
    if (owned) mxl_op_free(op);
    if (rc != 0) mxr_raise_last();
    return out;
  }
  if (cap < SMALL) cap = SMALL;
  mxl_array_t* outs_small[SMALL];
  mxl_array_t** outs = cap > SMALL ? (mxl_array_t**)R_alloc(cap, sizeof(mxl_array_t*)) : outs_small;
  memset(outs, 0, sizeof(mxl_array_t*) * (size_t)cap);
  /* The first result's R object exists before the call, so the common
   * single-output case allocates nothing between success and ownership. */
  SEXP first = PROTECT(mxr_array_shell());
  int32_t num = cap;
  int rc = mxl_invoke(op, nin, ins, nattr, keys, vals, &num, outs);
  if (owned) mxl_op_free(op);
  if (rc != 0) mxr_raise_last();
  R_SetExternalPtrAddr(first, outs[0]);
  if (num == 1) {
    UNPROTECT(1);
    return first;
  }
  /* Several outputs: handles 1.. are wrapped one by one (only R running out
   * of memory here could lose one). */
  SEXP res = PROTECT(allocVector(VECSXP, num));
  SET_VECTOR_ELT(res, 0, first);
  for (int i = 1; i < num; ++i) SET_VECTOR_ELT(res, i, mxr_wrap_array(outs[i]));
  UNPROTECT(2);
  return res;
}

static mxl_array_t* input_handle(SEXP x, const char* op, const char* arg) {
  if (TYPEOF(x) == EXTPTRSXP && R_ExternalPtrTag(x) == mxr_tag_array && R_ExternalPtrAddr(x))
    return (mxl_array_t*)R_ExternalPtrAddr(x);
  char what[256];
  snprintf(what, sizeof what, "Operator %s: argument '%s'", op, arg);
  return mxr_array_handle(x, what);  /* raises with the reason */
}

int mxr_format_attrs(SEXP spec, SEXP params, SEXP extras, int count_default,
                     const char** keys, const char** vals, int* cap) {
  const char* opname = CHAR(STRING_ELT(VECTOR_ELT(spec, 0), 0));
  SEXP pkeys = VECTOR_ELT(spec, 2);
  const int* types = INTEGER(VECTOR_ELT(spec, 3));
  const int* info = INTEGER(VECTOR_ELT(spec, 4));
  int count_idx = info[1], nout_idx = info[2];
  int np = LENGTH(params), ne = LENGTH(extras), na = 0;
  SEXP enames = getAttrib(extras, R_NamesSymbol);
  for (int i = 0; i < np; ++i) {
    SEXP v = VECTOR_ELT(params, i);
    const char* key = CHAR(STRING_ELT(pkeys, i));
    if (v == R_NilValue) {
      if (count_default >= 0 && i == count_idx) {  /* num_args: the input count */
        char* b = scratch(16);
        snprintf(b, 16, "%d", count_default);
        keys[na] = key;
        vals[na++] = b;
      }
      continue;
    }
    keys[na] = key;
    vals[na++] = fmt_value(v, types[i], opname, key);
    if (i == nout_idx && cap && is_num(v) && XLENGTH(v) == 1) {
      double c = num_elt(v, 0);  /* capacity only; the core validates the value */
      if (c >= 1 && c <= 65536) *cap = (int)c;
    }
  }
  for (int i = 0; i < ne; ++i) {
    const char* key = enames == R_NilValue ? "" : CHAR(STRING_ELT(enames, i));
    if (!*key)
      mxr_raise(MXL_ERR_VALUE, "Operator %s: extra argument %d has no name (extra arguments "
                "are attributes: name = value)", opname, i + 1);
    SEXP v = VECTOR_ELT(extras, i);
    if (v == R_NilValue) continue;
    keys[na] = key;
    vals[na++] = fmt_value(v, T_GENERIC, opname, key);
  }
  return na;
}

void mxr_reset_scratch(void) { arena_pos = 0; }

mxl_op_t* mxr_op_for(SEXP name, int* owned) { return op_for(name, owned); }

/* .Call from generated op functions; see the file comment for spec. */
SEXP mxr_invoke(SEXP spec, SEXP inputs, SEXP params, SEXP extras, SEXP out) {
  SEXP name = STRING_ELT(VECTOR_ELT(spec, 0), 0);
  const char* opname = CHAR(name);
  arena_pos = 0;
  SEXP inames = VECTOR_ELT(spec, 1);
  const int* info = INTEGER(VECTOR_ELT(spec, 4));
  int variadic = info[0];

  /* Stack buffers for the common small call; R_alloc (an R object per
   * call) only for long input or attribute lists. */
  mxl_array_t* ins_small[SMALL];
  const char* keys_small[SMALL];
  const char* vals_small[SMALL];
  int nin = 0;
  mxl_array_t** ins = ins_small;
  if (variadic) {
    SEXP x = VECTOR_ELT(inputs, 0);
    const char* arg = LENGTH(inames) ? CHAR(STRING_ELT(inames, 0)) : "data";
    if (TYPEOF(x) == VECSXP) {
      nin = LENGTH(x);
      if (nin > SMALL) ins = (mxl_array_t**)R_alloc(nin, sizeof(mxl_array_t*));
      for (int i = 0; i < nin; ++i) ins[i] = input_handle(VECTOR_ELT(x, i), opname, arg);
    } else if (x == R_NilValue) {
      ins = NULL;
    } else {
      nin = 1;
      ins[0] = input_handle(x, opname, arg);
    }
  } else {
    int m = LENGTH(inputs);
    if (m > SMALL) ins = (mxl_array_t**)R_alloc(m, sizeof(mxl_array_t*));
    for (int i = 0; i < m; ++i) {
      SEXP x = VECTOR_ELT(inputs, i);
      if (x != R_NilValue) ins[nin++] = input_handle(x, opname, CHAR(STRING_ELT(inames, i)));
    }
  }

  int np = LENGTH(params), ne = LENGTH(extras);
  const char** keys = keys_small;
  const char** vals = vals_small;
  if (np + ne > SMALL) {
    keys = (const char**)R_alloc(np + ne, sizeof(char*));
    vals = (const char**)R_alloc(np + ne, sizeof(char*));
  }
  int cap = info[3];
  int na = mxr_format_attrs(spec, params, extras, variadic ? nin : -1, keys, vals, &cap);
  int owned = 0;
  mxl_op_t* op = op_for(name, &owned);
  return do_invoke(op, owned, nin, ins, na, keys, vals, out, cap > 0 ? cap : 1);
}

/* .Call: invoke by op name with a list of arrays and attributes already in
 * text form (the conformance runner and mx.nd.invoke use it). */
SEXP mxr_invoke_raw(SEXP name, SEXP inputs, SEXP keys, SEXP vals, SEXP out) {
  if (TYPEOF(name) != STRSXP || LENGTH(name) != 1)
    mxr_raise(MXL_ERR_TYPE, "op name must be one string");
  if (TYPEOF(inputs) != VECSXP) mxr_raise(MXL_ERR_TYPE, "inputs must be a list of MXNDArrays");
  if (TYPEOF(keys) != STRSXP || TYPEOF(vals) != STRSXP || LENGTH(keys) != LENGTH(vals))
    mxr_raise(MXL_ERR_TYPE, "attribute keys and values must be character vectors of one length");
  const char* opname = CHAR(STRING_ELT(name, 0));
  int nin = LENGTH(inputs), na = LENGTH(keys);
  mxl_array_t** ins = (mxl_array_t**)R_alloc(nin > 0 ? nin : 1, sizeof(mxl_array_t*));
  for (int i = 0; i < nin; ++i) ins[i] = input_handle(VECTOR_ELT(inputs, i), opname, "input");
  const char** k = (const char**)R_alloc(na > 0 ? na : 1, sizeof(char*));
  const char** v = (const char**)R_alloc(na > 0 ? na : 1, sizeof(char*));
  for (int i = 0; i < na; ++i) {
    k[i] = CHAR(STRING_ELT(keys, i));
    v[i] = CHAR(STRING_ELT(vals, i));
  }
  int owned = 0;
  mxl_op_t* op = op_for(STRING_ELT(name, 0), &owned);
  return do_invoke(op, owned, nin, ins, na, k, v, out, 64);
}

static int is_array(SEXP x) {
  return TYPEOF(x) == EXTPTRSXP && R_ExternalPtrTag(x) == mxr_tag_array;
}

static int is_scalar_number(SEXP x) {
  return (TYPEOF(x) == REALSXP || TYPEOF(x) == INTSXP || TYPEOF(x) == LGLSXP) &&
         XLENGTH(x) == 1 && !OBJECT(x);
}

/* .Call from Ops.MXNDArray: specs = list(array op, op with the scalar on the
 * right, op with the scalar on the left).  Returns NULL when neither operand
 * pattern applies (the R side then converts R data and retries). */
SEXP mxr_arith(SEXP specs, SEXP e1, SEXP e2) {
  SEXP ins, params, res;
  int which;
  if (is_array(e1) && is_array(e2)) {
    which = 0;
    ins = PROTECT(allocVector(VECSXP, 2));
    SET_VECTOR_ELT(ins, 0, e1);
    SET_VECTOR_ELT(ins, 1, e2);
    params = PROTECT(allocVector(VECSXP, 0));
  } else if (is_array(e1) && is_scalar_number(e2)) {
    which = 1;
    ins = PROTECT(allocVector(VECSXP, 1));
    SET_VECTOR_ELT(ins, 0, e1);
    params = PROTECT(allocVector(VECSXP, 1));
    SET_VECTOR_ELT(params, 0, ScalarReal(asReal(e2)));
  } else if (is_array(e2) && is_scalar_number(e1)) {
    which = 2;
    ins = PROTECT(allocVector(VECSXP, 1));
    SET_VECTOR_ELT(ins, 0, e2);
    params = PROTECT(allocVector(VECSXP, 1));
    SET_VECTOR_ELT(params, 0, ScalarReal(asReal(e1)));
  } else {
    return R_NilValue;
  }
  SEXP none = PROTECT(allocVector(VECSXP, 0));
  res = mxr_invoke(VECTOR_ELT(specs, which), ins, params, none, R_NilValue);
  UNPROTECT(3);
  return res;
}
