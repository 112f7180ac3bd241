/*
 * A C11 program that uses libmxlite through include/c_api.h only, as a
 * binding author would: version check, array creation and host copies, op
 * lookup and invocation, results checked against hand-computed values, an
 * error path, a small symbol composed, serialized and inferred, and the
 * live-handle count back at its start value.
 *
 * Returns 0 on success; otherwise prints every check that failed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_check.h"
#include "c_api.h"

static mxl_array_t* new_float_array(const int64_t* shape, int32_t ndim, const float* data,
                                    uint64_t count) {
  mxl_array_t* arr = NULL;
  if (!call_ok(mxl_array_create(shape, ndim, MXL_FLOAT32, MXL_DEVICE_CPU, 0, &arr),
               "mxl_array_create"))
    return NULL;
  if (!call_ok(mxl_array_copy_from_host(arr, data, count * sizeof(float)),
               "mxl_array_copy_from_host")) {
    mxl_array_free(arr);
    return NULL;
  }
  return arr;
}

/* Runs a one-output op; returns the new output array or NULL. */
static mxl_array_t* invoke1(const char* name, int32_t nin, mxl_array_t* const* inputs,
                            int32_t nattr, const char* const* keys, const char* const* vals) {
  mxl_op_t* op = NULL;
  if (!call_ok(mxl_op_get(name, &op), name)) return NULL;
  mxl_array_t* out[1] = {NULL};
  int32_t nout = 1;
  int ok = call_ok(mxl_invoke(op, nin, inputs, nattr, keys, vals, &nout, out), name);
  mxl_op_free(op);
  if (!ok) return NULL;
  check(nout == 1, "op produces exactly one output");
  return out[0];
}

static void check_values(mxl_array_t* arr, const float* expected, int32_t ndim_expected,
                         const int64_t* shape_expected, const char* what) {
  int32_t ndim = -1;
  int64_t shape[4] = {0, 0, 0, 0};
  char label[128];
  if (!call_ok(mxl_array_shape(arr, &ndim, shape, 4), "mxl_array_shape")) return;
  snprintf(label, sizeof label, "%s: rank", what);
  check(ndim == ndim_expected, label);
  uint64_t count = 1;
  for (int32_t i = 0; i < ndim && i < ndim_expected; ++i) {
    snprintf(label, sizeof label, "%s: extent %d", what, (int)i);
    check(shape[i] == shape_expected[i], label);
    count *= (uint64_t)shape[i];
  }
  if (ndim != ndim_expected || count > 16) return;
  float got[16];
  if (!call_ok(mxl_array_copy_to_host(arr, got, count * sizeof(float)), "mxl_array_copy_to_host"))
    return;
  for (uint64_t i = 0; i < count; ++i) {
    snprintf(label, sizeof label, "%s: element %d is %g, expected %g", what, (int)i,
             (double)got[i], (double)expected[i]);
    check(fabs((double)got[i] - (double)expected[i]) < 1e-6, label);
  }
}

/* An unknown op fails with MXL_ERR_KEY; the message is read with a size query. */
static void check_unknown_op_error(void) {
  mxl_op_t* op = NULL;
  int status = mxl_op_get("no_such_operator", &op);
  check(status == MXL_ERR_KEY, "unknown op returns MXL_ERR_KEY");
  check(op == NULL, "out-parameter untouched on failure");

  int32_t kind = MXL_OK;
  uint64_t needed = 0;
  check(mxl_last_error(&kind, NULL, 0, &needed) == MXL_ERR_KEY, "mxl_last_error returns the kind");
  check(kind == MXL_ERR_KEY, "last error kind is MXL_ERR_KEY");
  check(needed > 1, "size query reports a non-empty message");
  char* msg = malloc(needed);
  if (!msg) {
    check(0, "malloc");
    return;
  }
  uint64_t needed_again = 0;
  mxl_last_error(NULL, msg, needed, &needed_again);
  check(needed_again == needed, "size query is stable");
  check(strlen(msg) + 1 == needed, "message fills the queried size exactly");
  check(strstr(msg, "no_such_operator") != NULL, "message names the unknown op");
  free(msg);
}

/* Symbols: compose dot(data, <auto variable>) + 1, list its arguments,
 * serialize it to JSON and read it back, and infer its output shape. */
static char* copy_symbol_string(int (*fn)(const mxl_symbol_t*, char*, uint64_t, uint64_t*),
                                const mxl_symbol_t* sym) {
  uint64_t needed = 0;
  if (!call_ok(fn(sym, NULL, 0, &needed), "symbol string size query")) return NULL;
  char* buf = malloc(needed);
  if (buf && !call_ok(fn(sym, buf, needed, NULL), "symbol string copy")) {
    free(buf);
    buf = NULL;
  }
  return buf;
}

static void check_symbols(void) {
  mxl_symbol_t *data = NULL, *proj = NULL, *out = NULL, *loaded = NULL;
  mxl_op_t *dot = NULL, *plus = NULL;
  if (call_ok(mxl_symbol_create_variable("data", &data), "mxl_symbol_create_variable") &&
      call_ok(mxl_op_get("dot", &dot), "mxl_op_get(dot)") &&
      call_ok(mxl_op_get("_plus_scalar", &plus), "mxl_op_get(_plus_scalar)") &&
      call_ok(mxl_symbol_create_op(dot, 0, NULL, NULL, 1, NULL, &data, "proj", &proj),
              "mxl_symbol_create_op(dot)")) {
    const char* keys[1] = {"scalar"};
    const char* vals[1] = {"1"};
    call_ok(mxl_symbol_create_op(plus, 1, keys, vals, 1, NULL, &proj, NULL, &out),
            "mxl_symbol_create_op(_plus_scalar)");
  }
  if (out) {
    char args[64];
    if (call_ok(mxl_symbol_list(out, MXL_SYMBOL_ARGUMENTS, args, sizeof args, NULL), "mxl_symbol_list"))
      check(strcmp(args, "[\"data\",\"proj_rhs\"]") == 0, "arguments are data and proj_rhs");
    char* json = copy_symbol_string(mxl_symbol_to_json, out);
    if (json && call_ok(mxl_symbol_from_json(json, &loaded), "mxl_symbol_from_json")) {
      char* again = copy_symbol_string(mxl_symbol_to_json, loaded);
      check(again && strcmp(json, again) == 0, "symbol JSON round trip is exact");
      free(again);
    }
    free(json);
    const char* names[2] = {"data", "proj_rhs"};
    const int32_t ndims[2] = {2, 2};
    const int64_t dims[4] = {2, 3, 3, 5};
    char shapes[256];
    if (call_ok(mxl_symbol_infer_shape(loaded ? loaded : out, 2, names, ndims, dims, shapes,
                                       sizeof shapes, NULL), "mxl_symbol_infer_shape"))
      check(strstr(shapes, "\"outputs\":[[2,5]]") != NULL, "inferred output shape is (2, 5)");
  }
  mxl_symbol_free(loaded);
  mxl_symbol_free(out);
  mxl_symbol_free(proj);
  mxl_symbol_free(data);
  mxl_op_free(plus);
  mxl_op_free(dot);
}

int main(void) {
  int32_t version = mxl_version();
  check(version / 10000 == MXL_VERSION_MAJOR, "library major version matches the header");
  if (version / 10000 != MXL_VERSION_MAJOR) return 1;

  int64_t live_at_start = -1, live_at_end = -1;
  if (!call_ok(mxl_live_handles(&live_at_start), "mxl_live_handles")) return 1;

  const int64_t shape_a[2] = {2, 3}, shape_b[1] = {3};
  const float a[6] = {1, 2, 3, 4, 5, 6};
  const float b[3] = {10, 20, 30};
  mxl_array_t* arr_a = new_float_array(shape_a, 2, a, 6);
  mxl_array_t* arr_b = new_float_array(shape_b, 1, b, 3);
  mxl_array_t* sum_ab = NULL;
  mxl_array_t* col_sums = NULL;
  mxl_array_t* total = NULL;

  if (arr_a && arr_b) {
    int32_t dtype = 0;
    if (call_ok(mxl_array_dtype(arr_a, &dtype), "mxl_array_dtype"))
      check(dtype == MXL_FLOAT32, "created array is float32");

    /* broadcast_add: (2, 3) + (3,) */
    mxl_array_t* ab[2] = {arr_a, arr_b};
    sum_ab = invoke1("broadcast_add", 2, ab, 0, NULL, NULL);
    if (sum_ab) {
      const float expected[6] = {11, 22, 33, 14, 25, 36};
      check_values(sum_ab, expected, 2, shape_a, "broadcast_add");
    }

    /* sum over axis 0, then over everything */
    if (sum_ab) {
      const char* keys[1] = {"axis"};
      const char* vals[1] = {"0"};
      col_sums = invoke1("sum", 1, &sum_ab, 1, keys, vals);
      if (col_sums) {
        const float expected[3] = {25, 47, 69};
        check_values(col_sums, expected, 1, shape_b, "sum(axis=0)");
      }
      total = invoke1("sum", 1, &sum_ab, 0, NULL, NULL);
      if (total) {
        /* One element: shape (1,) in MXNet 1.9's legacy semantics, () in NumPy's. */
        int64_t size = 0;
        float value = 0;
        if (call_ok(mxl_array_size(total, &size, NULL), "mxl_array_size"))
          check(size == 1, "sum() has one element");
        if (size == 1 &&
            call_ok(mxl_array_copy_to_host(total, &value, sizeof value), "mxl_array_copy_to_host"))
          check(value == 141.0f, "sum() is 141");
      }
    }
  }

  check_unknown_op_error();
  check_symbols();

  mxl_array_free(total);
  mxl_array_free(col_sums);
  mxl_array_free(sum_ab);
  mxl_array_free(arr_b);
  mxl_array_free(arr_a);
  call_ok(mxl_wait_all(), "mxl_wait_all");

  if (call_ok(mxl_live_handles(&live_at_end), "mxl_live_handles"))
    check(live_at_end == live_at_start, "live handles return to their start value");

  if (failures) {
    fprintf(stderr, "abi_example: %d check(s) failed\n", failures);
    return 1;
  }
  printf("abi_example: all checks passed (library version %d)\n", (int)version);
  return 0;
}
