// Autograd through the C ABI: recording switches, variables, backward, grad,
// detach and custom functions.  Entries live on the array handles.
#include "autograd/state.h"
#include "c_api/api_common.h"
#include "imperative/invoke.h"

using namespace mxl;
using capi::array_handle;
using capi::check_out;

namespace {

std::vector<autograd::Value> values_of(int32_t n, mxl_array_t* const* hs, const char* fn,
                                       const char* what) {
  MXL_CHECK(n >= 0 && (n == 0 || hs), MXL_ERR_VALUE, fn, ": ", what, " is NULL or its count is negative");
  std::vector<autograd::Value> vs;
  vs.reserve(n);
  for (int32_t i = 0; i < n; ++i) {
    mxl_array_t* h = array_handle(hs[i], fn);
    vs.push_back(autograd::Value{h->arr, h->entry});
  }
  return vs;
}

std::vector<NDArray> head_grads_of(int32_t n, mxl_array_t* const* hs, const char* fn) {
  std::vector<NDArray> gs;
  if (!hs) return gs;
  for (int32_t i = 0; i < n; ++i) gs.push_back(hs[i] ? array_handle(hs[i], fn)->arr : NDArray());
  return gs;
}

// A custom function's callbacks; released with the node that holds them.
struct CustomCallbacks {
  mxl_custom_backward_t backward;
  mxl_custom_release_t release;
  void* ctx;
  ~CustomCallbacks() {
    if (release) release(ctx);
  }
};

std::vector<NDArray> call_custom(const std::shared_ptr<CustomCallbacks>& cb, size_t num_inputs,
                                 const std::vector<NDArray>& out_grads) {
  std::vector<mxl_array_t*> og, ig(num_inputs, nullptr);
  for (const auto& g : out_grads) og.push_back(capi::new_array_handle(g));
  int rc = cb->backward(cb->ctx, static_cast<int32_t>(og.size()), og.data(),
                        static_cast<int32_t>(ig.size()), ig.data());
  for (auto* h : og) mxl_array_free(h);
  std::vector<NDArray> res;
  for (auto* h : ig) {
    res.push_back(h && h->magic == kArrayMagic ? h->arr : NDArray());
    mxl_array_free(h);
  }
  if (rc != 0) {
    int32_t kind = 0;
    uint64_t needed = 0;
    mxl_last_error(&kind, nullptr, 0, &needed);
    std::string msg(needed > 0 ? needed : 1, '\0');
    mxl_last_error(&kind, &msg[0], msg.size(), nullptr);
    msg.resize(std::strlen(msg.c_str()));
    throw_error(kind > 0 ? kind : MXL_ERR_RUNTIME, "autograd.Function backward failed: ",
                msg.empty() ? "(no message)" : msg);
  }
  return res;
}

}  // namespace

extern "C" {

int mxl_autograd_set_recording(int32_t recording, int32_t* prev) {
  MXL_API_BEGIN
  if (prev) *prev = autograd::thread_state().recording;
  autograd::thread_state().recording = recording != 0;
  MXL_API_END
}

int mxl_autograd_set_training(int32_t training, int32_t* prev) {
  MXL_API_BEGIN
  if (prev) *prev = autograd::thread_state().training;
  autograd::thread_state().training = training != 0;
  MXL_API_END
}

int mxl_autograd_is_recording(int32_t* out) {
  MXL_API_BEGIN
  check_out(out, "mxl_autograd_is_recording", "out");
  *out = autograd::thread_state().recording;
  MXL_API_END
}

int mxl_autograd_is_training(int32_t* out) {
  MXL_API_BEGIN
  check_out(out, "mxl_autograd_is_training", "out");
  *out = autograd::thread_state().training;
  MXL_API_END
}

int mxl_autograd_mark_variables(int32_t num, mxl_array_t* const* vars, const int32_t* grad_reqs,
                                mxl_array_t* const* grads) {
  MXL_API_BEGIN
  const char* fn = "mxl_autograd_mark_variables";
  MXL_CHECK(num >= 0 && (num == 0 || (vars && grad_reqs && grads)), MXL_ERR_VALUE, fn,
            ": an array argument is NULL or num is negative");
  std::vector<autograd::Entry> entries;
  for (int32_t i = 0; i < num; ++i) {
    mxl_array_t* v = array_handle(vars[i], fn);
    int32_t r = grad_reqs[i];
    MXL_CHECK(r == 0 || r == 1 || r == 3, MXL_ERR_VALUE, fn, ": grad_req ", r,
              " is not one of 0 (null), 1 (write), 3 (add)");
    NDArray g = r == 0 && !grads[i] ? NDArray() : array_handle(grads[i], fn)->arr;
    entries.push_back(autograd::mark_variable(v->arr, g, static_cast<autograd::GradReq>(r)));
  }
  for (int32_t i = 0; i < num; ++i) vars[i]->entry = std::move(entries[i]);
  MXL_API_END
}

int mxl_array_grad(const mxl_array_t* arr, mxl_array_t** out) {
  MXL_API_BEGIN
  capi::array_of(arr, "mxl_array_grad");
  check_out(out, "mxl_array_grad", "out");
  const auto& e = arr->entry;
  *out = e && e.node->is_variable() && !e.node->grad.is_none()
             ? capi::new_array_handle(e.node->grad) : nullptr;
  MXL_API_END
}

int mxl_array_detach(const mxl_array_t* arr, mxl_array_t** out) {
  MXL_API_BEGIN
  const NDArray& a = capi::array_of(arr, "mxl_array_detach");
  check_out(out, "mxl_array_detach", "out");
  *out = capi::new_array_handle(a);
  MXL_API_END
}

int mxl_array_has_history(const mxl_array_t* arr, int32_t* out) {
  MXL_API_BEGIN
  capi::array_of(arr, "mxl_array_has_history");
  check_out(out, "mxl_array_has_history", "out");
  *out = arr->entry ? 1 : 0;
  MXL_API_END
}

int mxl_autograd_backward(int32_t num_heads, mxl_array_t* const* heads,
                          mxl_array_t* const* head_grads, int32_t retain_graph, int32_t train_mode) {
  MXL_API_BEGIN
  const char* fn = "mxl_autograd_backward";
  auto hv = values_of(num_heads, heads, fn, "heads");
  autograd::backward(hv, head_grads_of(num_heads, head_grads, fn), {}, retain_graph != 0, false,
                     train_mode != 0);
  MXL_API_END
}

int mxl_autograd_grad(int32_t num_heads, mxl_array_t* const* heads, mxl_array_t* const* head_grads,
                      int32_t num_vars, mxl_array_t* const* vars, int32_t retain_graph,
                      int32_t create_graph, int32_t train_mode, mxl_array_t** grads) {
  MXL_API_BEGIN
  const char* fn = "mxl_autograd_grad";
  check_out(grads, fn, "grads");
  MXL_CHECK(num_vars > 0, MXL_ERR_VALUE, fn, ": no variables given");
  auto hv = values_of(num_heads, heads, fn, "heads");
  auto vv = values_of(num_vars, vars, fn, "variables");
  auto res = autograd::backward(hv, head_grads_of(num_heads, head_grads, fn), vv,
                                retain_graph != 0, create_graph != 0, train_mode != 0);
  std::vector<mxl_array_t*> fresh;
  try {
    for (auto& v : res) {
      fresh.push_back(capi::new_array_handle(v.arr));
      fresh.back()->entry = v.entry;
    }
  } catch (...) {
    for (auto* h : fresh) mxl_array_free(h);
    throw;
  }
  for (int32_t i = 0; i < num_vars; ++i) grads[i] = fresh[i];
  MXL_API_END
}

int mxl_autograd_record_custom(int32_t num_inputs, mxl_array_t* const* inputs, int32_t num_outputs,
                               mxl_array_t* const* outputs, mxl_custom_backward_t backward,
                               mxl_custom_release_t release, void* ctx) {
  auto cb = std::make_shared<CustomCallbacks>();  // releases ctx on every path
  cb->backward = backward, cb->release = release, cb->ctx = ctx;
  MXL_API_BEGIN
  const char* fn = "mxl_autograd_record_custom";
  MXL_CHECK(backward, MXL_ERR_VALUE, fn, ": backward callback is NULL");
  auto iv = values_of(num_inputs, inputs, fn, "inputs");
  auto ov = values_of(num_outputs, outputs, fn, "outputs");
  MXL_CHECK(num_outputs > 0, MXL_ERR_VALUE, fn, ": a custom function needs at least one output");
  if (!autograd::thread_state().recording) return MXL_OK;
  std::vector<NDArray> outs;
  for (auto& v : ov) outs.push_back(v.arr);
  size_t nin = iv.size();
  auto node = autograd::record_custom(
      iv, outs, [cb, nin](const std::vector<NDArray>& og) { return call_custom(cb, nin, og); });
  for (int32_t i = 0; i < num_outputs; ++i) outputs[i]->entry = autograd::Entry{node, i};
  MXL_API_END
}

int mxl_set_last_error(int32_t kind, const char* message) {
  MXL_API_BEGIN
  MXL_CHECK(kind >= 1 && kind <= MXL_ERR_INVALID_HANDLE, MXL_ERR_VALUE,
            "mxl_set_last_error: unknown error kind ", kind);
  capi::set_last_error(kind, message ? message : "");
  return MXL_OK;
  MXL_API_END
}

}  // extern "C"
