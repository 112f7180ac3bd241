// The fresh-gradient flag of autograd variables (MXNet's NDArray._fresh_grad):
// set by backward when it writes a variable's gradient buffer, read and
// cleared by the frontend (Gluon's Trainer checks every parameter it updates
// got a gradient from the last backward).
#include "autograd/tape.h"
#include "c_api/api_common.h"

using namespace mxl;

int mxl_array_get_grad_state(const mxl_array_t* arr, int32_t* out) {
  MXL_API_BEGIN
  capi::array_of(arr, "mxl_array_get_grad_state");
  capi::check_out(out, "mxl_array_get_grad_state", "out");
  const auto& e = arr->entry;
  *out = e && e.node->is_variable() && e.node->fresh_grad ? 1 : 0;
  MXL_API_END
}

int mxl_array_set_grad_state(mxl_array_t* arr, int32_t fresh) {
  MXL_API_BEGIN
  capi::array_of(arr, "mxl_array_set_grad_state");
  const auto& e = arr->entry;
  if (e && e.node->is_variable()) e.node->fresh_grad = fresh != 0;
  MXL_API_END
}
