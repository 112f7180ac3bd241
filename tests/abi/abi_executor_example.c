/*
 * A C11 program that trains through a bound executor using include/c_api.h
 * only, as a binding without its own graph code would: a symbol read from
 * MXNet 1.9 JSON (y = FullyConnected(x, w, b), 2 hidden units), bound with
 * caller-owned arrays, forward, backward with a head gradient, results
 * checked against hand-computed values, the memory plan queried, and the
 * live-handle count back at its start value.
 *
 * Returns 0 on success; otherwise prints every check that failed.
 */
#include <math.h>
#include <stdio.h>

#include "abi_check.h"
#include "c_api.h"

static mxl_array_t* array_of(const int64_t* shape, int32_t ndim, const float* data, uint64_t n) {
  mxl_array_t* arr = NULL;
  if (!call_ok(mxl_array_create(shape, ndim, MXL_FLOAT32, MXL_DEVICE_CPU, 0, &arr),
               "mxl_array_create"))
    return NULL;
  call_ok(mxl_array_copy_from_host(arr, data, n * sizeof(float)), "mxl_array_copy_from_host");
  return arr;
}

static int close_to(const float* got, const float* want, int n) {
  for (int i = 0; i < n; ++i)
    if (fabsf(got[i] - want[i]) > 1e-5f) return 0;
  return 1;
}

static const char* kSymbolJson =
    "{\"nodes\": ["
    "{\"op\": \"null\", \"name\": \"x\", \"inputs\": []},"
    "{\"op\": \"null\", \"name\": \"fc_weight\", \"inputs\": []},"
    "{\"op\": \"null\", \"name\": \"fc_bias\", \"inputs\": []},"
    "{\"op\": \"FullyConnected\", \"name\": \"fc\", \"attrs\": {\"num_hidden\": \"2\"},"
    " \"inputs\": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]}],"
    "\"arg_nodes\": [0, 1, 2], \"node_row_ptr\": [0, 1, 2, 3, 4],"
    "\"heads\": [[3, 0, 0]], \"attrs\": {\"mxnet_version\": [\"int\", 10901]}}";

int main(void) {
  int64_t live_before = 0, live_after = 0;
  mxl_live_handles(&live_before);

  mxl_symbol_t* sym = NULL;
  if (!call_ok(mxl_symbol_from_json(kSymbolJson, &sym), "mxl_symbol_from_json")) return 1;

  /* x (1x3), w (2x3), b (2); gradients for w and b only. */
  const int64_t xs[] = {1, 3}, ws[] = {2, 3}, bs[] = {2};
  const float x[] = {1, 2, 3}, w[] = {1, 0, -1, 0.5f, 0.5f, 0.5f}, b[] = {0.25f, -1};
  const float zeros[6] = {0};
  mxl_array_t* args[3] = {array_of(xs, 2, x, 3), array_of(ws, 2, w, 6), array_of(bs, 1, b, 2)};
  mxl_array_t* grads[3] = {NULL, array_of(ws, 2, zeros, 6), array_of(bs, 1, zeros, 2)};
  const int32_t reqs[3] = {MXL_GRAD_REQ_NULL, MXL_GRAD_REQ_WRITE, MXL_GRAD_REQ_WRITE};
  mxl_executor_t* exec = NULL;
  if (call_ok(mxl_executor_bind(sym, 3, args, grads, reqs, 0, NULL, &exec), "mxl_executor_bind")) {
    call_ok(mxl_executor_forward(exec, 1), "mxl_executor_forward");
    mxl_array_t* out = NULL;
    int32_t count = 0;
    if (call_ok(mxl_executor_arrays(exec, MXL_EXECUTOR_OUTPUTS, 1, &out, &count),
                "mxl_executor_arrays")) {
      float y[2] = {0};
      call_ok(mxl_array_copy_to_host(out, y, sizeof y), "mxl_array_copy_to_host");
      /* y = x . w^T + b = (1 - 3 + 0.25, 3 - 1) */
      const float want[] = {-1.75f, 2.0f};
      check(count == 1 && close_to(y, want, 2), "executor forward equals x . w^T + b");
      mxl_array_free(out);
    }
    /* Head gradient (1, 2): dw = head^T . x, db = head. */
    const int64_t hs[] = {1, 2};
    const float head[] = {1, 2};
    mxl_array_t* head_arr = array_of(hs, 2, head, 2);
    call_ok(mxl_executor_backward(exec, 1, &head_arr, 1), "mxl_executor_backward");
    float dw[6] = {0}, db[2] = {0};
    call_ok(mxl_array_copy_to_host(grads[1], dw, sizeof dw), "copy dw");
    call_ok(mxl_array_copy_to_host(grads[2], db, sizeof db), "copy db");
    const float want_dw[] = {1, 2, 3, 2, 4, 6};
    check(close_to(dw, want_dw, 6), "executor weight gradient equals head^T . x");
    check(close_to(db, head, 2), "executor bias gradient equals the head gradient");
    int64_t planned = -1, naive = -1;
    call_ok(mxl_executor_memory(exec, &planned, &naive, NULL), "mxl_executor_memory");
    check(planned >= 0 && naive >= planned, "planned bytes do not exceed the naive total");
    /* A NULL handle is a clear error, not a crash. */
    check(mxl_executor_forward(NULL, 1) == MXL_ERR_INVALID_HANDLE, "NULL executor is refused");
    mxl_array_free(head_arr);
    mxl_executor_free(exec);
  }
  for (int i = 0; i < 3; ++i) {
    mxl_array_free(args[i]);
    mxl_array_free(grads[i]);
  }
  mxl_symbol_free(sym);
  mxl_wait_all();
  mxl_live_handles(&live_after);
  check(live_after == live_before, "live handles back at their start value");
  if (failures == 0) printf("abi_executor_example: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
