// Registry introspection and the one generic invoke.
#include <mutex>

#include "c_api/api_common.h"
#include "autograd/state.h"
#include "autograd/tape.h"
#include "common/scratch.h"
#include "imperative/invoke.h"
#include "operator/random_generator.h"

using namespace mxl;
using capi::check_out;

namespace {

struct InvokeArrays {
  std::vector<NDArray> inputs, outputs;
  std::vector<mxl_array_t*> fresh;
  void clear() { inputs.clear(), outputs.clear(), fresh.clear(); }
};

const OpDef* op_of(const mxl_op_t* h) {
  if (!h) throw_error(MXL_ERR_INVALID_HANDLE, "mxl_invoke: op handle is NULL");
  if (h->magic != kOpMagic)
    throw_error(MXL_ERR_INVALID_HANDLE, "mxl_invoke: op handle is invalid or was already freed");
  return h->op;
}

// MXNet forbids writing into a variable while recording: its gradient would
// silently describe the overwritten value.
void check_recorded_outputs(const OpDef* op, int nout, mxl_array_t** outputs) {
  for (int i = 0; i < nout; ++i) {
    const mxl_array_t* h = outputs[i];
    if (!h || h->magic != kArrayMagic || !h->entry) continue;
    const autograd::Node& n = *h->entry.node;
    MXL_CHECK(!(n.is_variable() && n.grad_req != autograd::GradReq::kNull), MXL_ERR_VALUE,
              "Operator ", op->name, ": in-place operations (+=, x[:]=, out=) on a variable with "
              "attached gradient are not supported while recording with autograd");
  }
}

std::shared_ptr<autograd::Node> record(const OpDef* op, const std::shared_ptr<const Params>& params,
                                       int32_t num_inputs, mxl_array_t* const* inputs,
                                       const std::vector<NDArray>& out) {
  bool tracked = false;
  for (int i = 0; i < num_inputs; ++i) tracked |= static_cast<bool>(inputs[i]->entry);
  if (!tracked) return nullptr;
  std::vector<autograd::Value> vals;
  vals.reserve(num_inputs);
  for (int i = 0; i < num_inputs; ++i) vals.push_back(autograd::Value{inputs[i]->arr, inputs[i]->entry});
  return autograd::record_op(op, params, vals, out);
}

}  // namespace

extern "C" {

int mxl_registry_json(char* buf, uint64_t cap, uint64_t* needed) {
  MXL_API_BEGIN
  static std::mutex mu;  // the document is built once, on first request
  std::lock_guard<std::mutex> lk(mu);
  capi::copy_out_string(Registry::get().json(), buf, cap, needed);
  MXL_API_END
}

int mxl_op_count(int32_t* count) {
  MXL_API_BEGIN
  check_out(count, "mxl_op_count", "count");
  *count = static_cast<int32_t>(Registry::get().ops().size());
  MXL_API_END
}

int mxl_op_name(int32_t index, char* buf, uint64_t cap, uint64_t* needed) {
  MXL_API_BEGIN
  const auto& ops = Registry::get().ops();
  MXL_CHECK(index >= 0 && static_cast<size_t>(index) < ops.size(), MXL_ERR_INDEX,
            "mxl_op_name: index ", index, " is out of range [0, ", ops.size(), ")");
  capi::copy_out_string(ops[index]->name, buf, cap, needed);
  MXL_API_END
}

int mxl_op_get(const char* name, mxl_op_t** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_op_get", "out");
  MXL_CHECK(name, MXL_ERR_VALUE, "mxl_op_get: name is NULL");
  const OpDef* op = Registry::get().find(name);
  MXL_CHECK(op, MXL_ERR_KEY, "unknown operator '", name, "'");
  auto* h = new mxl_op;
  h->op = op;
  capi::live_handles().fetch_add(1, std::memory_order_relaxed);
  *out = h;
  MXL_API_END
}

void mxl_op_free(mxl_op_t* op) {
  if (!op || op->magic != kOpMagic) return;
  op->magic = kDeadMagic;
  delete op;
  capi::live_handles().fetch_sub(1, std::memory_order_relaxed);
}

int mxl_invoke(const mxl_op_t* op_handle, int32_t num_inputs, mxl_array_t* const* inputs,
               int32_t num_attrs, const char* const* keys, const char* const* vals,
               int32_t* num_outputs, mxl_array_t** outputs) {
  MXL_API_BEGIN
  const OpDef* op = op_of(op_handle);
  check_out(num_outputs, "mxl_invoke", "num_outputs");
  MXL_CHECK(num_inputs >= 0 && (num_inputs == 0 || inputs), MXL_ERR_VALUE, "Operator ", op->name,
            ": inputs is NULL or num_inputs is negative");
  MXL_CHECK(num_attrs >= 0 && (num_attrs == 0 || (keys && vals)), MXL_ERR_VALUE, "Operator ",
            op->name, ": attribute arrays are NULL or num_attrs is negative");
  MXL_CHECK(*num_outputs >= 0 && (*num_outputs == 0 || outputs), MXL_ERR_VALUE, "Operator ",
            op->name, ": outputs is NULL or its capacity is negative");
  for (int i = 0; i < num_attrs; ++i)
    MXL_CHECK(keys[i] && vals[i], MXL_ERR_VALUE, "Operator ", op->name, ": attribute ", i,
              " has a NULL key or value");

  auto params = imperative::cached_params(op, num_attrs, keys, vals);
  // Callers see the visible outputs; hidden ones (kept for gradients) are
  // allocated by invoke and dropped here unless autograd records them.
  const int nout = op->num_visible_outputs(*params);
  MXL_CHECK(*num_outputs >= nout, MXL_ERR_VALUE, "Operator ", op->name, " produces ", nout,
            " outputs but the outputs buffer holds ", *num_outputs);

  ScratchLease<InvokeArrays> arrays;
  std::vector<NDArray>& in = arrays->inputs;
  for (int i = 0; i < num_inputs; ++i) {
    const mxl_array_t* h = inputs[i];
    MXL_CHECK(h && h->magic == kArrayMagic, MXL_ERR_INVALID_HANDLE, "Operator ", op->name,
              ": input ", i,
              i < static_cast<int>(op->input_names.size()) ? " ('" + op->input_names[i] + "')" : "",
              h ? " is a freed or invalid array" : " is NULL");
    in.push_back(h->arr);
  }
  std::vector<NDArray>& out = arrays->outputs;
  out.resize(nout);
  for (int i = 0; i < nout; ++i) {
    if (!outputs[i]) continue;
    MXL_CHECK(outputs[i]->magic == kArrayMagic, MXL_ERR_INVALID_HANDLE, "Operator ", op->name,
              ": output ", i, " is a freed or invalid array");
    out[i] = outputs[i]->arr;
  }
  const bool recording = autograd::thread_state().recording;
  if (recording) check_recorded_outputs(op, nout, outputs);
  imperative::invoke(op, params, in, &out);
  std::shared_ptr<autograd::Node> node;
  if (recording) node = record(op, params, num_inputs, inputs, out);
  out.resize(nout);

  // Nothing was written to the caller's arrays before this point.  Allocate
  // every handle before publishing any, so a failure leaves outputs as given.
  std::vector<mxl_array_t*>& fresh = arrays->fresh;
  fresh.assign(nout, nullptr);
  try {
    for (int i = 0; i < nout; ++i)
      if (!outputs[i]) fresh[i] = capi::new_array_handle(std::move(out[i]));
  } catch (...) {
    for (auto* h : fresh) mxl_array_free(h);
    throw;
  }
  for (int i = 0; i < nout; ++i) {
    if (fresh[i]) outputs[i] = fresh[i];
    if (node) outputs[i]->entry = autograd::Entry{node, i};
  }
  *num_outputs = nout;
  MXL_API_END
}

int mxl_random_seed(uint64_t seed) {
  MXL_API_BEGIN
  seed_global_rng(seed);
  MXL_API_END
}

}  // extern "C"
