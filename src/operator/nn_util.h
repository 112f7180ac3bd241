// Small helpers shared by the neural-network operators (activation, dropout,
// softmax, ...): float-only dtype inference, element loops computed in the
// accumulation type, and gradient-building shorthands.
#pragma once
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "autograd/gradient.h"
#include "common/parallel.h"
#include "operator/registry.h"

namespace mxl {
namespace nn {

// All inputs share one floating dtype; every output gets it.
inline void infer_float_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  infer_type_same(p.op()->name, in, out);
  const DType t = (*in)[0];
  MXL_CHECK(is_float(t), MXL_ERR_TYPE, "Operator ", p.op()->name, ": inputs have dtype ",
            dtype_name(t), "; expected float16, float32 or float64");
  for (auto& o : *out) o = t;
}

// Every output has input 0's shape; the other inputs must match it.
inline void infer_all_same_shape(const Params& p, std::vector<Shape>* in,
                                 std::vector<Shape>* out) {
  const Shape& s = (*in)[0];
  if (!s.known()) return;
  const OpDef* op = p.op();
  for (size_t i = 1; i < in->size(); ++i) {
    if (!(*in)[i].known()) {
      (*in)[i] = s;
      continue;
    }
    const std::string arg = i < op->input_names.size() ? op->input_names[i] : std::to_string(i);
    MXL_CHECK((*in)[i] == s, MXL_ERR_VALUE, op_error_prefix(op->name, arg), " has shape ",
              (*in)[i].str(), " but '", op->input_names.empty() ? "data" : op->input_names[0],
              "' has shape ", s.str(), "; expected equal shapes");
  }
  for (auto& o : *out) o = s;
}

// The type element-wise math runs in: float for float16.
template <typename T>
using Acc = typename AccType<T>::type;

// out[i] = f(i) over [0, n) in parallel; f returns the accumulation type.
template <typename T, typename F>
void fill_elements(int64_t n, T* out, int64_t cost, F f) {
  parallel_for(
      n,
      [out, f](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) out[i] = static_cast<T>(f(i));
      },
      cost);
}

inline const char* py_bool(bool b) { return b ? "True" : "False"; }

// Gradient shorthands.
inline GradValue grad_add(GradBuilder& b, GradValue x, GradValue y) {
  if (!x.defined()) return y;
  if (!y.defined()) return x;
  return b.op("elemwise_add", {x, y});
}
inline GradValue grad_mul(GradBuilder& b, GradValue x, GradValue y) {
  return b.op("elemwise_mul", {x, y});
}
// A double in text that parses back to the same value.
inline std::string num_str(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}
inline GradValue grad_scalar(GradBuilder& b, const char* op, GradValue x, double s) {
  return b.op(op, {x}, {{"scalar", num_str(s)}});
}

}  // namespace nn
}  // namespace mxl
