// add_n (alias ElementWiseSum, MXNet 1.9): the element-wise sum of any
// number of arrays of one shape and dtype.  Integers wrap like NumPy's;
// float16 accumulates in float.  The sum is formed in one pass over the
// output (not n - 1 binary adds), in chunks so each chunk of every input is
// read once while it is in cache.  Every input's gradient is the head
// gradient.
#include <algorithm>
#include <type_traits>

#include "operator/elemwise_math.h"
#include "operator/nn_util.h"

namespace mxl {
namespace {

void infer_add_n_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const int64_t n = p.get_int("num_args");
  MXL_CHECK(static_cast<int64_t>(in->size()) == n, MXL_ERR_VALUE,
            op_error_prefix("add_n", "num_args"), " is ", n, " but ", in->size(),
            " arrays were given");
  const Shape& s = (*in)[0];
  if (!s.known()) return;
  for (size_t i = 1; i < in->size(); ++i) {
    if (!(*in)[i].known()) (*in)[i] = s;
    MXL_CHECK((*in)[i] == s, MXL_ERR_VALUE, "Operator add_n: input ", i, " has shape ",
              (*in)[i].str(), " but input 0 has shape ", s.str(), "; expected equal shapes");
  }
  (*out)[0] = s;
}

template <typename T>
void add_n_typed(const std::vector<TBlob>& in, const TBlob& out) {
  using A = nn::Acc<T>;
  constexpr int64_t kChunk = 4096;
  const int64_t n = out.numel();
  const size_t k = in.size();
  T* y = out.ptr<T>();
  parallel_for((n + kChunk - 1) / kChunk, [&](int64_t c0, int64_t c1) {
    A acc[kChunk];
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t lo = c * kChunk, len = std::min(kChunk, n - lo);
      const T* x0 = in[0].ptr<T>() + lo;
      for (int64_t i = 0; i < len; ++i) acc[i] = static_cast<A>(x0[i]);
      for (size_t j = 1; j < k; ++j) {
        const T* xj = in[j].ptr<T>() + lo;
        if constexpr (std::is_integral_v<A> && !std::is_same_v<A, bool>)
          for (int64_t i = 0; i < len; ++i) acc[i] = elemwise::wrapping_add(acc[i], xj[i]);
        else if constexpr (std::is_same_v<A, bool>)
          for (int64_t i = 0; i < len; ++i) acc[i] = acc[i] || xj[i];
        else
          for (int64_t i = 0; i < len; ++i) acc[i] += static_cast<A>(xj[i]);
      }
      for (int64_t i = 0; i < len; ++i) y[lo + i] = static_cast<T>(acc[i]);
    }
  }, kChunk * static_cast<int64_t>(k));
}

void add_n_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  MXL_TYPE_SWITCH(in[0].dtype, T, { add_n_typed<T>(in, out[0]); })
}

void register_add_n() {
  Registry::get()
      .add("add_n")
      .describe("Adds all input arguments element-wise: add_n(a1, ..., an) = a1 + ... + an. "
                "All inputs must have the same shape and dtype.")
      .add_alias("ElementWiseSum")
      .add_input("args", "Positional input arguments")
      .set_variadic("num_args")
      .add_param("num_args", "int", "", "Number of inputs to be summed.")
      .set_range(1, 2147483647.0)
      .set_infer_shape(infer_add_n_shape)
      .add_inplace(0, 0)
      .set_forward(add_n_forward)
      .set_gradient([](GradBuilder&, const GradNode& n) -> std::vector<GradValue> {
        std::vector<GradValue> r(n.inputs.size());
        for (size_t i = 0; i < r.size(); ++i)
          if (n.needs_input_grad[i]) r[i] = n.out_grads[0];
        return r;
      });
}

MXL_REGISTER_BLOCK(register_add_n);

}  // namespace
}  // namespace mxl
