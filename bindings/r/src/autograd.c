/* Autograd glue: recording switches, variables, backward, grad. */
#include "mxlite_r.h"

/* .Call: set recording and training; returns the previous c(recording, training). */
SEXP mxr_autograd_set(SEXP recording, SEXP training) {
  int32_t prev_r = 0, prev_t = 0;
  MXR_CHECK(mxl_autograd_set_recording(asLogical(recording) == 1, &prev_r));
  if (mxl_autograd_set_training(asLogical(training) == 1, &prev_t) != 0) {
    mxl_autograd_set_recording(prev_r, NULL);
    mxr_raise_last();
  }
  SEXP out = PROTECT(allocVector(LGLSXP, 2));
  LOGICAL(out)[0] = prev_r;
  LOGICAL(out)[1] = prev_t;
  UNPROTECT(1);
  return out;
}

SEXP mxr_autograd_state(void) {
  int32_t r = 0, t = 0;
  MXR_CHECK(mxl_autograd_is_recording(&r));
  MXR_CHECK(mxl_autograd_is_training(&t));
  SEXP out = PROTECT(allocVector(LGLSXP, 2));
  LOGICAL(out)[0] = r;
  LOGICAL(out)[1] = t;
  UNPROTECT(1);
  return out;
}

static mxl_array_t** handles_of(SEXP list, const char* what, int allow_null) {
  int n = LENGTH(list);
  mxl_array_t** hs = (mxl_array_t**)R_alloc(n > 0 ? n : 1, sizeof(mxl_array_t*));
  for (int i = 0; i < n; ++i) {
    SEXP x = VECTOR_ELT(list, i);
    hs[i] = (allow_null && x == R_NilValue) ? NULL : mxr_array_handle(x, what);
  }
  return hs;
}

/* .Call: make vars variables with gradient buffers grads (lists of equal
 * length) and grad_reqs (integer codes 0 null, 1 write, 3 add). */
SEXP mxr_autograd_mark(SEXP vars, SEXP reqs, SEXP grads) {
  int n = LENGTH(vars);
  if (LENGTH(grads) != n || LENGTH(reqs) != n)
    mxr_raise(MXL_ERR_VALUE, "attach.grad: %d variables, %d gradients and %d grad.reqs", n,
              LENGTH(grads), LENGTH(reqs));
  mxl_array_t** v = handles_of(vars, "variable", 0);
  mxl_array_t** g = handles_of(grads, "gradient", 1);
  SEXP r = PROTECT(coerceVector(reqs, INTSXP));
  MXR_CHECK(mxl_autograd_mark_variables(n, v, INTEGER(r), g));
  UNPROTECT(1);
  return R_NilValue;
}

/* .Call: the gradient buffer of x, or NULL when x has none. */
SEXP mxr_array_grad(SEXP x) {
  mxl_array_t* h = mxr_array_handle(x, "x");
  SEXP out = PROTECT(mxr_array_shell());
  mxl_array_t* g = NULL;
  MXR_CHECK(mxl_array_grad(h, &g));
  UNPROTECT(1);
  if (!g) return R_NilValue;
  R_SetExternalPtrAddr(out, g);
  return out;
}

SEXP mxr_array_detach(SEXP x) {
  mxl_array_t* h = mxr_array_handle(x, "x");
  SEXP out = PROTECT(mxr_array_shell());
  mxl_array_t* d = NULL;
  MXR_CHECK(mxl_array_detach(h, &d));
  R_SetExternalPtrAddr(out, d);
  UNPROTECT(1);
  return out;
}

SEXP mxr_array_has_history(SEXP x) {
  int32_t r = 0;
  MXR_CHECK(mxl_array_has_history(mxr_array_handle(x, "x"), &r));
  return ScalarLogical(r);
}

/* .Call: backward from heads (list) with head_grads (list, NULL entries =
 * ones). */
SEXP mxr_autograd_backward(SEXP heads, SEXP head_grads, SEXP retain, SEXP train) {
  int n = LENGTH(heads);
  if (LENGTH(head_grads) != n)
    mxr_raise(MXL_ERR_VALUE, "backward: %d heads but %d head gradients", n, LENGTH(head_grads));
  mxl_array_t** h = handles_of(heads, "head", 0);
  mxl_array_t** g = handles_of(head_grads, "head gradient", 1);
  MXR_CHECK(mxl_autograd_backward(n, h, g, asLogical(retain) == 1, asLogical(train) == 1));
  return R_NilValue;
}

/* .Call: gradients of heads with respect to vars, as a list of arrays. */
SEXP mxr_autograd_grad(SEXP heads, SEXP head_grads, SEXP vars, SEXP retain, SEXP create,
                       SEXP train) {
  int n = LENGTH(heads), m = LENGTH(vars);
  if (LENGTH(head_grads) != n)
    mxr_raise(MXL_ERR_VALUE, "grad: %d heads but %d head gradients", n, LENGTH(head_grads));
  mxl_array_t** h = handles_of(heads, "head", 0);
  mxl_array_t** g = handles_of(head_grads, "head gradient", 1);
  mxl_array_t** v = handles_of(vars, "variable", 0);
  SEXP res = PROTECT(allocVector(VECSXP, m));
  for (int i = 0; i < m; ++i) SET_VECTOR_ELT(res, i, mxr_array_shell());
  mxl_array_t** out = (mxl_array_t**)R_alloc(m > 0 ? m : 1, sizeof(mxl_array_t*));
  MXR_CHECK(mxl_autograd_grad(n, h, g, m, v, asLogical(retain) == 1, asLogical(create) == 1,
                              asLogical(train) == 1, out));
  for (int i = 0; i < m; ++i) R_SetExternalPtrAddr(VECTOR_ELT(res, i), out[i]);
  UNPROTECT(1);
  return res;
}
