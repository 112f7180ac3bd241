// How an op declares its gradient (DESIGN.md section 4).
//
// A gradient is written with registered ops, through a GradBuilder:
//
//   .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
//     GradValue y = n.outputs[0], dy = n.out_grads[0];
//     return {b.op("elemwise_mul", {dy, b.op("_rdiv_scalar", {y}, {{"scalar", "0.5"}})})};
//   })
//
// The same definition serves eager autograd, where each emitted op runs at
// once (and is itself recorded when create_graph is on, which is what makes
// higher-order gradients work), and symbolic backward graphs, where emitted
// ops become graph nodes.  Ops without a cheap expression in other ops get a
// hidden "_backward_<Op>" kernel and a gradient that applies it.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/dtype.h"
#include "common/shape.h"
#include "operator/params.h"

namespace mxl {

struct OpDef;

// A value inside a gradient computation; its builder resolves it.
struct GradValue {
  int id = -1;
  bool defined() const { return id >= 0; }
};

using Attrs = std::vector<std::pair<std::string, std::string>>;

class GradBuilder {
 public:
  virtual ~GradBuilder() = default;
  // Applies a registered op (name or alias) with attributes in MXNet's text
  // form; returns all of its outputs (hidden ones included).
  virtual std::vector<GradValue> apply(const std::string& op, const std::vector<GradValue>& inputs,
                                       const Attrs& attrs) = 0;
  // Shape and dtype of a value (always known when gradients are built).
  virtual Shape shape(GradValue v) const = 0;  // by value: apply() may move the storage
  virtual DType dtype(GradValue v) const = 0;

  // apply() for an op whose output j, for every j below the forward node's
  // input count, is the gradient of forward input j (the usual "_backward_X"
  // kernel returning (data_grad, weight_grad, bias_grad)).  Eager backward
  // may then have the kernel write such an output straight into the
  // gradient buffer of a leaf variable instead of a temporary copied there
  // afterwards; other builders treat it as apply().
  virtual std::vector<GradValue> apply_input_grads(const std::string& op,
                                                   const std::vector<GradValue>& inputs,
                                                   const Attrs& attrs) {
    return apply(op, inputs, attrs);
  }

  // The first output of apply().
  GradValue op(const std::string& name, const std::vector<GradValue>& inputs,
               const Attrs& attrs = {}) {
    return apply(name, inputs, attrs)[0];
  }
};

// The forward node a gradient is built for.
struct GradNode {
  const OpDef* op = nullptr;
  std::shared_ptr<const Params> params;  // params->attrs(): the forward's attribute strings
  std::vector<GradValue> inputs;
  std::vector<GradValue> outputs;    // all outputs, hidden ones included
  // One per output: zeros where no gradient flowed into a visible output;
  // undefined for a hidden output nothing flowed into.
  std::vector<GradValue> out_grads;
  std::vector<bool> needs_input_grad;  // skip work for inputs nobody asked about
  bool is_train = true;
};

// The result has one entry per input; an undefined entry means "no gradient"
// (treated as zero).  Helpers for common declarations:

// Every input gets no gradient (comparisons, rounding, argmax, ...): the op is
// differentiable with gradient zero, as in MXNet.
std::vector<GradValue> zero_gradient(GradBuilder& b, const GradNode& n);

}  // namespace mxl
