#include "autograd/eager_builder.h"

#include "imperative/invoke.h"

namespace mxl {
namespace autograd {

GradValue EagerBuilder::add(Value v) {
  values_.push_back(std::move(v));
  return GradValue{static_cast<int>(values_.size()) - 1};
}

const Value& EagerBuilder::value(GradValue v) const {
  MXL_CHECK(v.id >= 0 && static_cast<size_t>(v.id) < values_.size(), MXL_ERR_RUNTIME,
            "autograd: a gradient used an undefined value");
  return values_[v.id];
}

std::vector<GradValue> EagerBuilder::apply(const std::string& name,
                                           const std::vector<GradValue>& inputs,
                                           const Attrs& attrs) {
  return run(name, inputs, attrs, {});
}

std::vector<GradValue> EagerBuilder::apply_input_grads(const std::string& name,
                                                       const std::vector<GradValue>& inputs,
                                                       const Attrs& attrs) {
  std::vector<Value> out(grad_buffers_.size());
  for (size_t j = 0; j < out.size(); ++j) out[j].arr = grad_buffers_[j];
  return run(name, inputs, attrs, std::move(out));
}

// `out` holds given destinations (possibly none) for the leading outputs.
std::vector<GradValue> EagerBuilder::run(const std::string& name,
                                         const std::vector<GradValue>& inputs, const Attrs& attrs,
                                         std::vector<Value> out) {
  const OpDef* op = Registry::get().find(name);
  MXL_CHECK(op, MXL_ERR_RUNTIME, "autograd: a gradient uses the unknown operator '", name, "'");
  keys_.clear(), vals_.clear();
  for (const auto& kv : attrs) keys_.push_back(kv.first.c_str()), vals_.push_back(kv.second.c_str());
  auto params = imperative::cached_params(op, static_cast<int>(attrs.size()), keys_.data(),
                                          vals_.data());
  // Copies: apply() may grow values_ while these are in use.
  std::vector<Value> in;
  in.reserve(inputs.size());
  for (GradValue v : inputs) in.push_back(value(v));
  const size_t nout = static_cast<size_t>(op->num_outputs(*params));
  if (out.size() > nout) out.resize(nout);
  autograd::apply(op, params, in, &out);
  std::vector<GradValue> ids;
  ids.reserve(out.size());
  for (auto& v : out) ids.push_back(add(std::move(v)));
  return ids;
}

}  // namespace autograd
}  // namespace mxl
