/* MXNDArray: an external pointer to an mxl_array_t with a finalizer.
 *
 * Memory order: an R array of dim c(d1, ..., dn) (column-major) has exactly
 * the bytes of a C-order array of shape (dn, ..., d1), so the glue copies R's
 * memory as it is and the R side reverses the dims (MXNet's R convention).
 * Functions here take and return shapes in the core's (C) order. */
#include <math.h>
#include <string.h>

#include "mxlite_r.h"

SEXP mxr_tag_array;
static SEXP cls_array;  /* "MXNDArray", shared by every array (never mutated) */

static void array_finalizer(SEXP p) {
  mxl_array_t* h = (mxl_array_t*)R_ExternalPtrAddr(p);
  if (h) {
    mxl_array_free(h);
    R_ClearExternalPtr(p);
  }
}

void mxr_array_init(void) {
  mxr_tag_array = install("mxlite_array");
  cls_array = mkString("MXNDArray");
  R_PreserveObject(cls_array);
  MARK_NOT_MUTABLE(cls_array);
}

SEXP mxr_array_shell(void) {
  SEXP p = PROTECT(R_MakeExternalPtr(NULL, mxr_tag_array, R_NilValue));
  R_RegisterCFinalizerEx(p, array_finalizer, FALSE);
  setAttrib(p, R_ClassSymbol, cls_array);
  UNPROTECT(1);
  return p;
}

SEXP mxr_wrap_array(mxl_array_t* h) {
  /* Allocation failure would longjmp and lose h; R only fails here when it is
   * out of memory, and then the handle is the least of the problems. */
  SEXP p = mxr_array_shell();
  R_SetExternalPtrAddr(p, h);
  return p;
}

mxl_array_t* mxr_array_handle(SEXP x, const char* what) {
  if (TYPEOF(x) != EXTPTRSXP || R_ExternalPtrTag(x) != mxr_tag_array) {
    SEXP cls = getAttrib(x, R_ClassSymbol);
    const char* got = (TYPEOF(cls) == STRSXP && LENGTH(cls) > 0) ? CHAR(STRING_ELT(cls, 0))
                                                                 : type2char(TYPEOF(x));
    mxr_raise(MXL_ERR_TYPE, "%s must be an MXNDArray, got %s", what, got);
  }
  mxl_array_t* h = (mxl_array_t*)R_ExternalPtrAddr(x);
  if (!h) mxr_raise(MXL_ERR_INVALID_HANDLE, "%s is an MXNDArray that has been disposed", what);
  return h;
}

/* ------------------------------------------------------------ conversion */

static int dtype_code(int d) { return d & 0xff; }
static int dtype_bits(int d) { return (d >> 8) & 0xff; }

/* IEEE half -> float (exact). */
static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  float f;
  if (exp == 0) {
    f = ldexpf((float)man, -24);
  } else if (exp == 31) {
    f = man ? NAN : INFINITY;
  } else {
    f = ldexpf((float)(man | 0x400), (int)exp - 25);
  }
  return sign ? -f : f;
}

static float bf16_to_float(uint16_t b) {
  uint32_t u = (uint32_t)b << 16;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

/* Element i of an R numeric/integer/logical vector as a double (NA -> NaN). */
static double r_elt(SEXP v, R_xlen_t i) {
  switch (TYPEOF(v)) {
    case REALSXP: return REAL(v)[i];
    case INTSXP: return INTEGER(v)[i] == NA_INTEGER ? NAN : (double)INTEGER(v)[i];
    case LGLSXP: return LOGICAL(v)[i] == NA_LOGICAL ? NAN : (double)LOGICAL(v)[i];
    default: return NAN;
  }
}

static void check_int(double v, double lo, double hi, const char* dt, R_xlen_t i) {
  if (isnan(v)) mxr_raise(MXL_ERR_VALUE, "mx.nd.array: element %ld is NA/NaN, which %s cannot hold",
                          (long)i + 1, dt);
  if (v < lo || v > hi)
    mxr_raise(MXL_ERR_VALUE, "mx.nd.array: element %ld (%g) is out of the range of %s",
              (long)i + 1, v, dt);
}

/* Fill buf (n elements of dtype) from the R vector. */
static void fill_from_r(void* buf, int dtype, SEXP v, R_xlen_t n) {
  int code = dtype_code(dtype), bits = dtype_bits(dtype);
  R_xlen_t i;
  if (code == 2 && bits == 32) {
    float* o = (float*)buf;
    if (TYPEOF(v) == REALSXP) {
      const double* s = REAL(v);
      for (i = 0; i < n; ++i) o[i] = (float)s[i];
    } else {
      for (i = 0; i < n; ++i) o[i] = (float)r_elt(v, i);
    }
  } else if (code == 2 && bits == 64) {
    double* o = (double*)buf;
    for (i = 0; i < n; ++i) o[i] = r_elt(v, i);
  } else if (code == 0 && bits == 32) {
    int32_t* o = (int32_t*)buf;
    for (i = 0; i < n; ++i) {
      double x = trunc(r_elt(v, i));
      check_int(x, -2147483648.0, 2147483647.0, "int32", i);
      o[i] = (int32_t)x;
    }
  } else if (code == 0 && bits == 64) {
    int64_t* o = (int64_t*)buf;
    for (i = 0; i < n; ++i) {
      double x = trunc(r_elt(v, i));
      check_int(x, -9223372036854775808.0, 9223372036854774784.0, "int64", i);
      o[i] = (int64_t)x;
    }
  } else if (code == 0 && bits == 8) {
    int8_t* o = (int8_t*)buf;
    for (i = 0; i < n; ++i) {
      double x = trunc(r_elt(v, i));
      check_int(x, -128, 127, "int8", i);
      o[i] = (int8_t)x;
    }
  } else if (code == 1 && bits == 8) {
    uint8_t* o = (uint8_t*)buf;
    for (i = 0; i < n; ++i) {
      double x = trunc(r_elt(v, i));
      check_int(x, 0, 255, "uint8", i);
      o[i] = (uint8_t)x;
    }
  } else if (code == 6 && bits == 8) {
    uint8_t* o = (uint8_t*)buf;
    for (i = 0; i < n; ++i) {
      double x = r_elt(v, i);
      check_int(x, -INFINITY, INFINITY, "bool", i);
      o[i] = x != 0;
    }
  } else {
    mxr_raise(MXL_ERR_TYPE, "mx.nd.array: cannot create arrays of dtype code %d from R data "
              "(supported: float32, float64, int8, uint8, int32, int64, bool; use mx.nd.Cast "
              "for others)", dtype);
  }
}

static R_xlen_t shape_size(SEXP shape, int64_t** dims_out, int* ndim_out) {
  int nd = LENGTH(shape);
  if (nd > 32) mxr_raise(MXL_ERR_VALUE, "shape has %d dimensions; at most 32 are supported", nd);
  int64_t* dims = (int64_t*)R_alloc(nd > 0 ? nd : 1, sizeof(int64_t));
  double size = 1;
  for (int i = 0; i < nd; ++i) {
    double d = r_elt(shape, i);
    if (isnan(d) || d < 0 || d != trunc(d))
      mxr_raise(MXL_ERR_VALUE, "shape entry %d must be a non-negative integer, got %g", i + 1, d);
    dims[i] = (int64_t)d;
    size *= d;
  }
  *dims_out = dims;
  *ndim_out = nd;
  return (R_xlen_t)size;
}

/* .Call: a new array of the core shape `shape` (C order) holding `data`
 * (R memory order = C order of the reversed dims) converted to `dtype`. */
SEXP mxr_array_create(SEXP data, SEXP shape, SEXP dtype) {
  int64_t* dims;
  int nd;
  R_xlen_t n = shape_size(shape, &dims, &nd);
  int dt = asInteger(dtype);
  if (data != R_NilValue) {
    if (TYPEOF(data) != REALSXP && TYPEOF(data) != INTSXP && TYPEOF(data) != LGLSXP)
      mxr_raise(MXL_ERR_TYPE, "mx.nd.array: data must be numeric, integer or logical, got %s",
                type2char(TYPEOF(data)));
    if (XLENGTH(data) != n)
      mxr_raise(MXL_ERR_VALUE, "mx.nd.array: %ld values given for %ld elements",
                (long)XLENGTH(data), (long)n);
  }
  SEXP out = PROTECT(mxr_array_shell());
  mxl_array_t* h = NULL;
  MXR_CHECK(mxl_array_create(dims, nd, dt, MXL_DEVICE_CPU, 0, &h));
  R_SetExternalPtrAddr(out, h);
  if (data != R_NilValue && n > 0) {
    int64_t size = 0, nbytes = 0;
    MXR_CHECK(mxl_array_size(h, &size, &nbytes));
    void* buf = R_alloc((size_t)nbytes, 1);
    fill_from_r(buf, dt, data, n);  /* may raise; the shell's finalizer frees h */
    MXR_CHECK(mxl_array_copy_from_host(h, buf, (uint64_t)nbytes));
  }
  UNPROTECT(1);
  return out;
}

/* .Call: the array's elements as an R vector in memory order (double for
 * floating and 64-bit types, integer for small integers, logical for bool). */
SEXP mxr_array_to_r(SEXP x) {
  mxl_array_t* h = mxr_array_handle(x, "x");
  int64_t size = 0, nbytes = 0;
  int32_t dt = 0, nd = 0;
  MXR_CHECK(mxl_array_info(h, &nd, NULL, 0, &dt));
  MXR_CHECK(mxl_array_size(h, &size, &nbytes));
  int code = dtype_code(dt), bits = dtype_bits(dt);
  R_xlen_t n = (R_xlen_t)size, i;
  SEXP out;
  if (code == 2 && bits == 64) {
    out = PROTECT(allocVector(REALSXP, n));
    MXR_CHECK(mxl_array_copy_to_host(h, REAL(out), (uint64_t)nbytes));
    UNPROTECT(1);
    return out;
  }
  if (code == 0 && bits == 32) {
    out = PROTECT(allocVector(INTSXP, n));
    MXR_CHECK(mxl_array_copy_to_host(h, INTEGER(out), (uint64_t)nbytes));
    UNPROTECT(1);
    return out;
  }
  void* buf = R_alloc(nbytes > 0 ? (size_t)nbytes : 1, 1);
  MXR_CHECK(mxl_array_copy_to_host(h, buf, (uint64_t)nbytes));
  if (code == 2 || code == 4 || (code == 0 && bits == 64) || (code == 1 && bits >= 32)) {
    out = PROTECT(allocVector(REALSXP, n));
    double* o = REAL(out);
    if (code == 2 && bits == 32) for (i = 0; i < n; ++i) o[i] = ((const float*)buf)[i];
    else if (code == 2 && bits == 16) for (i = 0; i < n; ++i) o[i] = half_to_float(((const uint16_t*)buf)[i]);
    else if (code == 4 && bits == 16) for (i = 0; i < n; ++i) o[i] = bf16_to_float(((const uint16_t*)buf)[i]);
    else if (code == 0 && bits == 64) for (i = 0; i < n; ++i) o[i] = (double)((const int64_t*)buf)[i];
    else if (code == 1 && bits == 32) for (i = 0; i < n; ++i) o[i] = ((const uint32_t*)buf)[i];
    else if (code == 1 && bits == 64) for (i = 0; i < n; ++i) o[i] = (double)((const uint64_t*)buf)[i];
    else mxr_raise(MXL_ERR_TYPE, "as.array: unsupported dtype code %d", dt);
  } else if (code == 6) {
    out = PROTECT(allocVector(LGLSXP, n));
    for (i = 0; i < n; ++i) LOGICAL(out)[i] = ((const uint8_t*)buf)[i] != 0;
  } else {
    out = PROTECT(allocVector(INTSXP, n));
    int* o = INTEGER(out);
    if (code == 0 && bits == 8) for (i = 0; i < n; ++i) o[i] = ((const int8_t*)buf)[i];
    else if (code == 1 && bits == 8) for (i = 0; i < n; ++i) o[i] = ((const uint8_t*)buf)[i];
    else if (code == 0 && bits == 16) for (i = 0; i < n; ++i) o[i] = ((const int16_t*)buf)[i];
    else if (code == 1 && bits == 16) for (i = 0; i < n; ++i) o[i] = ((const uint16_t*)buf)[i];
    else mxr_raise(MXL_ERR_TYPE, "as.array: unsupported dtype code %d", dt);
  }
  UNPROTECT(1);
  return out;
}

/* .Call: the shape in the core's (C) order, as integers. */
SEXP mxr_array_shape(SEXP x) {
  mxl_array_t* h = mxr_array_handle(x, "x");
  int64_t dims[32];
  int32_t nd = 0;
  MXR_CHECK(mxl_array_shape(h, &nd, dims, 32));
  SEXP out = PROTECT(allocVector(REALSXP, nd));
  int small = 1;
  for (int i = 0; i < nd; ++i) {
    REAL(out)[i] = (double)dims[i];
    if (dims[i] > 2147483647) small = 0;
  }
  if (small) out = coerceVector(out, INTSXP);
  UNPROTECT(1);
  return out;
}

SEXP mxr_array_dtype(SEXP x) {
  int32_t dt = 0;
  MXR_CHECK(mxl_array_dtype(mxr_array_handle(x, "x"), &dt));
  return ScalarInteger(dt);
}

SEXP mxr_array_size(SEXP x) {
  int64_t size = 0;
  MXR_CHECK(mxl_array_size(mxr_array_handle(x, "x"), &size, NULL));
  return ScalarReal((double)size);
}

SEXP mxr_array_wait(SEXP x) {
  MXR_CHECK(mxl_array_wait_to_read(mxr_array_handle(x, "x")));
  return R_NilValue;
}

SEXP mxr_wait_all(void) {
  MXR_CHECK(mxl_wait_all());
  return R_NilValue;
}

/* .Call: free the handle now (explicit disposal); later use raises
 * INVALID_HANDLE.  Disposing twice is allowed. */
SEXP mxr_array_dispose(SEXP x) {
  if (TYPEOF(x) != EXTPTRSXP || R_ExternalPtrTag(x) != mxr_tag_array)
    mxr_array_handle(x, "x");  /* raises the TYPE error */
  array_finalizer(x);
  return R_NilValue;
}

SEXP mxr_array_is_disposed(SEXP x) {
  if (TYPEOF(x) != EXTPTRSXP || R_ExternalPtrTag(x) != mxr_tag_array) mxr_array_handle(x, "x");
  return ScalarLogical(R_ExternalPtrAddr(x) == NULL);
}

/* .Call: a view with another core shape (Reshape's special codes allowed). */
SEXP mxr_array_reshape_view(SEXP x, SEXP shape) {
  mxl_array_t* h = mxr_array_handle(x, "x");
  int nd = LENGTH(shape);
  if (nd > 32) mxr_raise(MXL_ERR_VALUE, "reshape: at most 32 dimensions, got %d", nd);
  int64_t dims[32];
  for (int i = 0; i < nd; ++i) {
    double d = r_elt(shape, i);
    if (!isfinite(d) || d != trunc(d) || fabs(d) > 9e18)
      mxr_raise(MXL_ERR_VALUE, "reshape: entry %d must be an integer, got %g", i + 1, d);
    dims[i] = (int64_t)d;
  }
  SEXP out = PROTECT(mxr_array_shell());
  mxl_array_t* v = NULL;
  MXR_CHECK(mxl_array_reshape_view(h, dims, nd, &v));
  R_SetExternalPtrAddr(out, v);
  UNPROTECT(1);
  return out;
}

/* .Call: rows [begin, end) of the first core axis (0-based, end exclusive). */
SEXP mxr_array_slice_view(SEXP x, SEXP begin, SEXP end) {
  mxl_array_t* h = mxr_array_handle(x, "x");
  SEXP out = PROTECT(mxr_array_shell());
  mxl_array_t* v = NULL;
  double b = asReal(begin), e = asReal(end);
  if (!isfinite(b) || !isfinite(e) || fabs(b) > 9e18 || fabs(e) > 9e18)
    mxr_raise(MXL_ERR_VALUE, "slice: begin and end must be integers");
  MXR_CHECK(mxl_array_slice_view(h, (int64_t)b, (int64_t)e, &v));
  R_SetExternalPtrAddr(out, v);
  UNPROTECT(1);
  return out;
}

/* .Call: c(live handles of every kind, op handles cached by this package). */
SEXP mxr_live_handles(void) {
  int64_t live = 0;
  MXR_CHECK(mxl_live_handles(&live));
  SEXP out = PROTECT(allocVector(REALSXP, 2));
  REAL(out)[0] = (double)live;
  REAL(out)[1] = (double)mxr_cached_ops();
  UNPROTECT(1);
  return out;
}

/* .Call: c(the library's version, the header's the package was built with). */
SEXP mxr_version(void) {
  SEXP out = allocVector(INTSXP, 2);
  INTEGER(out)[0] = mxl_version();
  INTEGER(out)[1] = MXL_VERSION;
  return out;
}

SEXP mxr_random_seed(SEXP seed) {
  double s = asReal(seed);
  if (!isfinite(s) || s < 0 || s != trunc(s) || s > 1.8e19)
    mxr_raise(MXL_ERR_VALUE, "mx.set.seed: seed must be a non-negative integer, got %g", s);
  MXR_CHECK(mxl_random_seed((uint64_t)s));
  return R_NilValue;
}
