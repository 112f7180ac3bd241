// The GradBuilder of eager autograd: every op a gradient emits runs at once
// through autograd::apply, so with recording on (create_graph) the backward
// pass is itself recorded and can be differentiated again.
#pragma once
#include <vector>

#include "autograd/gradient.h"
#include "autograd/tape.h"

namespace mxl {
namespace autograd {

class EagerBuilder : public GradBuilder {
 public:
  GradValue add(Value v);
  const Value& value(GradValue v) const;

  std::vector<GradValue> apply(const std::string& op, const std::vector<GradValue>& inputs,
                               const Attrs& attrs) override;
  std::vector<GradValue> apply_input_grads(const std::string& op,
                                           const std::vector<GradValue>& inputs,
                                           const Attrs& attrs) override;
  // Where apply_input_grads may put the gradient of each forward input of the
  // node being differentiated (none: a fresh array).  Set per node by
  // backward; the buffers must have the inputs' shapes and dtypes.
  void set_input_grad_buffers(std::vector<NDArray> buffers) { grad_buffers_ = std::move(buffers); }

  Shape shape(GradValue v) const override { return value(v).arr.shape(); }
  DType dtype(GradValue v) const override { return value(v).arr.dtype(); }

 private:
  std::vector<Value> values_;
  std::vector<const char*> keys_, vals_;
  std::vector<NDArray> grad_buffers_;

  std::vector<GradValue> run(const std::string& op, const std::vector<GradValue>& inputs,
                             const Attrs& attrs, std::vector<Value> out);
};

}  // namespace autograd
}  // namespace mxl
