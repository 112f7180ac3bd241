#include "autograd/gradient.h"

namespace mxl {

std::vector<GradValue> zero_gradient(GradBuilder& b, const GradNode& n) {
  std::vector<GradValue> grads(n.inputs.size());
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (n.needs_input_grad[i]) grads[i] = b.op("zeros_like", {n.inputs[i]});
  return grads;
}

}  // namespace mxl
