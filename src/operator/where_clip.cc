// where and clip: element-wise selection.
#include <type_traits>

#include "common/parallel.h"
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using namespace shape_ops;

// ---------------------------------------------------------------------------
// where(condition, x, y)
// ---------------------------------------------------------------------------

// Nonzero is true; for half, -0.0 is false as for the other float types.
template <typename CT>
inline bool truthy(CT v) {
  if constexpr (std::is_same_v<CT, half_t>) return (v.bits & 0x7fff) != 0;
  else return v != CT(0);
}

void where_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &cond = (*in)[0], &x = (*in)[1], &y = (*in)[2];
  if (!all_known(*in)) return;
  MXL_CHECK(x == y, MXL_ERR_VALUE, "Operator where: arguments 'x' of shape ", x.str(),
            " and 'y' of shape ", y.str(), " must have the same shape");
  const bool per_row = cond.ndim() == 1 && x.ndim() >= 1 && cond[0] == x[0];
  MXL_CHECK(cond == x || per_row, MXL_ERR_VALUE, "Operator where: argument 'condition' has shape ",
            cond.str(), " but expected the shape of 'x' ", x.str(),
            x.ndim() >= 1 ? " or a 1-D shape (" + std::to_string(x[0]) + ",) selecting rows" : "");
  (*out)[0] = x;
}

void where_type(const Params&, std::vector<DType>* in, std::vector<DType>* out) {
  MXL_CHECK((*in)[1] == (*in)[2], MXL_ERR_TYPE, "Operator where: arguments 'x' (dtype ",
            dtype_name((*in)[1]), ") and 'y' (dtype ", dtype_name((*in)[2]),
            ") must have the same dtype");
  (*out)[0] = (*in)[1];
}

void where_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  const TBlob &cond = in[0], &x = in[1], &y = in[2];
  const int64_t n = x.numel();
  if (n == 0) return;
  const bool elementwise = cond.shape == x.shape;
  const int64_t rows = elementwise ? n : cond.numel(), inner = n / rows;
  MXL_TYPE_SWITCH(cond.dtype, CT, {
    const CT* c = cond.ptr<const CT>();
    with_elem_type(dtype_size(x.dtype), [&](auto tag) {
      using T = decltype(tag);
      const T* xp = x.ptr<const T>();
      const T* yp = y.ptr<const T>();
      T* o = out[0].ptr<T>();
      if (elementwise) {
        parallel_for(n, [&](int64_t b, int64_t e) {
          // Both loads unconditional, so the select compiles to a blend.
          for (int64_t i = b; i < e; ++i) {
            const T xv = xp[i], yv = yp[i];
            o[i] = truthy(c[i]) ? xv : yv;
          }
        });
      } else {  // one condition per row of x
        parallel_for(
            rows,
            [&](int64_t b, int64_t e) {
              for (int64_t r = b; r < e; ++r) {
                const T* src = (truthy(c[r]) ? xp : yp) + r * inner;
                std::memcpy(o + r * inner, src, inner * sizeof(T));
              }
            },
            inner);
      }
    });
  })
}

// ---------------------------------------------------------------------------
// clip(data, a_min, a_max)
// ---------------------------------------------------------------------------

void clip_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  const int64_t n = in[0].numel();
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      throw_error(MXL_ERR_TYPE, "Operator clip: argument 'data' has dtype bool, which clip does "
                  "not support; expected a numeric dtype");
    } else {
      // Bounds in the element type (integers truncate, as MXNet's cast);
      // half computes in float.  min(max(x, lo), hi) as NumPy: a_min > a_max
      // gives a_max, and NaN stays NaN.
      using A = typename AccType<T>::type;
      const A lo = static_cast<A>(cast_scalar<T>(p.get_float("a_min")));
      const A hi = static_cast<A>(cast_scalar<T>(p.get_float("a_max")));
      const T* x = in[0].ptr<const T>();
      T* o = out[0].ptr<T>();
      parallel_for(n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          A v = static_cast<A>(x[i]);
          v = v < lo ? lo : v;
          o[i] = static_cast<T>(v > hi ? hi : v);
        }
      });
    }
  })
}

MXL_REGISTER_OP(where)
    .describe("Returns elements chosen from 'x' where 'condition' is nonzero and from 'y' "
              "elsewhere. 'x' and 'y' must have the same shape and dtype; 'condition' has the "
              "shape of 'x', or is 1-D with length x.shape[0] and selects whole rows.")
    .add_input("condition", "condition array")
    .add_input("x", "")
    .add_input("y", "")
    .set_infer_shape(where_shape)
    .set_infer_type(where_type)
    .set_forward(where_forward);

MXL_REGISTER_OP(clip)
    .describe("Clips (limits) the values of an array to [a_min, a_max]: elements below a_min "
              "become a_min and elements above a_max become a_max.")
    .add_input("data", "Input array.")
    .add_param("a_min", "float", "", "Minimum value")
    .add_param("a_max", "float", "", "Maximum value")
    .set_infer_shape(infer_same_shape)
    .add_inplace(0, 0)
    .set_forward(clip_forward);

}  // namespace
}  // namespace mxl
