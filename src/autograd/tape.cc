#include "autograd/tape.h"

#include "autograd/state.h"
#include "imperative/invoke.h"

namespace mxl {
namespace autograd {

bool is_recording() { return thread_state().recording; }
bool is_training() { return thread_state().training; }

Entry mark_variable(const NDArray& arr, const NDArray& grad, GradReq req) {
  MXL_CHECK(!arr.is_none(), MXL_ERR_INVALID_HANDLE, "mark_variables: the variable is empty");
  if (req != GradReq::kNull) {
    MXL_CHECK(!grad.is_none(), MXL_ERR_VALUE, "mark_variables: a gradient buffer is required");
    MXL_CHECK(grad.shape() == arr.shape(), MXL_ERR_VALUE, "mark_variables: gradient shape ",
              grad.shape().str(), " differs from the variable's ", arr.shape().str());
    MXL_CHECK(grad.dtype() == arr.dtype(), MXL_ERR_TYPE, "mark_variables: gradient dtype ",
              dtype_name(grad.dtype()), " differs from the variable's ", dtype_name(arr.dtype()));
  }
  auto node = std::make_shared<Node>();
  node->grad = grad;
  node->grad_req = req;
  return Entry{std::move(node), 0};
}

std::shared_ptr<Node> record_op(const OpDef* op, const std::shared_ptr<const Params>& params,
                                const std::vector<Value>& inputs,
                                const std::vector<NDArray>& outputs) {
  if (!thread_state().recording) return nullptr;
  bool tracked = false;
  for (const auto& v : inputs) tracked |= static_cast<bool>(v.entry);
  if (!tracked) return nullptr;
  auto node = std::make_shared<Node>();
  node->op = op;
  node->params = params;
  node->is_train = thread_state().training;
  node->inputs.reserve(inputs.size());
  node->input_entries.reserve(inputs.size());
  for (const auto& v : inputs) {
    node->inputs.push_back(v.arr);
    node->input_entries.push_back(v.entry);
  }
  node->outputs = outputs;
  return node;
}

std::shared_ptr<Node> record_custom(const std::vector<Value>& inputs,
                                    const std::vector<NDArray>& outputs, CustomBackward backward) {
  MXL_CHECK(backward, MXL_ERR_VALUE, "autograd: a custom function needs a backward callback");
  auto node = std::make_shared<Node>();
  node->custom = std::move(backward);
  node->is_custom = true;
  node->is_train = thread_state().training;
  for (const auto& v : inputs) {
    node->inputs.push_back(v.arr);
    node->input_entries.push_back(v.entry);
  }
  node->outputs = outputs;
  return node;
}

void apply(const OpDef* op, const std::shared_ptr<const Params>& params,
           const std::vector<Value>& inputs, std::vector<Value>* outputs) {
  std::vector<NDArray> in, out;
  in.reserve(inputs.size());
  for (const auto& v : inputs) in.push_back(v.arr);
  for (const auto& v : *outputs) out.push_back(v.arr);
  imperative::invoke(op, params, in, &out);
  auto node = record_op(op, params, inputs, out);
  outputs->resize(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    (*outputs)[i].arr = out[i];
    (*outputs)[i].entry = node ? Entry{node, static_cast<int>(i)} : Entry{};
  }
}

}  // namespace autograd
}  // namespace mxl
