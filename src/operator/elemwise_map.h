// Inference and the element loop shared by the one-input element-wise ops
// (unary math and array-scalar ops).
#pragma once
#include <vector>

#include "common/parallel.h"
#include "operator/registry.h"

namespace mxl {
namespace elemwise {

// Output shape equals input shape; the reverse direction serves symbolic
// inference when only the output is known.
inline void infer_same_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].known()) (*out)[0] = (*in)[0];
  else (*in)[0] = (*out)[0];
}

[[noreturn]] inline void reject_bool(const Params& p) {
  throw_error(MXL_ERR_TYPE, "Operator ", p.op()->name,
              ": argument 'data' has dtype bool, which this operator does not support; "
              "expected a numeric dtype (float16, float32, float64, uint8, int8, int32, int64)");
}

inline void infer_numeric_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  if ((*in)[0] == DType::kBool) reject_bool(p);
  (*out)[0] = (*in)[0];
}

inline void infer_any_type(const Params&, std::vector<DType>* in, std::vector<DType>* out) {
  (*out)[0] = (*in)[0];
}

// The one loop every kernel runs.  f is a lambda, so it inlines and simple
// bodies vectorize; in and out may be the same buffer (declared in-place).
template <typename T, typename F>
void map_elements(const TBlob& src, const TBlob& dst, int64_t cost, F f) {
  const T* in = src.ptr<T>();
  T* out = dst.ptr<T>();
  parallel_for(
      src.numel(),
      [in, out, f](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) out[i] = f(in[i]);
      },
      cost);
}

}  // namespace elemwise
}  // namespace mxl
