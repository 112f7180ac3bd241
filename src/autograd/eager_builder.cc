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
  std::vector<Value> out;
  autograd::apply(op, params, in, &out);
  std::vector<GradValue> ids;
  ids.reserve(out.size());
  for (auto& v : out) ids.push_back(add(std::move(v)));
  return ids;
}

}  // namespace autograd
}  // namespace mxl
