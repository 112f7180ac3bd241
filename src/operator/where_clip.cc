// where and clip: element-wise selection, and their gradients.
#include <type_traits>

#include "autograd/gradient.h"
#include "operator/grad_util.h"
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

// dx = dy where the condition holds, dy = dy elsewhere; the condition gets
// zero (MXNet).  Written with where itself, so it differentiates again.
std::vector<GradValue> where_gradient(GradBuilder& b, const GradNode& n) {
  std::vector<GradValue> grads(3);
  const GradValue cond = n.inputs[0], dy = n.out_grads[0];
  if (n.needs_input_grad[0]) grads[0] = grad::zeros_of(b, cond);
  if (n.needs_input_grad[1] || n.needs_input_grad[2]) {
    const GradValue zeros = grad::zeros_of(b, dy);
    if (n.needs_input_grad[1]) grads[1] = b.op("where", {cond, dy, zeros});
    if (n.needs_input_grad[2]) grads[2] = b.op("where", {cond, zeros, dy});
  }
  return grads;
}

// ---------------------------------------------------------------------------
// clip(data, a_min, a_max)
// ---------------------------------------------------------------------------

// The bounds as the kernels compare them: in the element type (integers
// truncate, as MXNet's cast), half in float.
template <typename T>
std::pair<typename AccType<T>::type, typename AccType<T>::type> clip_bounds(const Params& p) {
  using A = typename AccType<T>::type;
  return {static_cast<A>(cast_scalar<T>(p.get_float("a_min"))),
          static_cast<A>(cast_scalar<T>(p.get_float("a_max")))};
}

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
      const auto [lo, hi] = clip_bounds<T>(p);
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

// _backward_clip(ograd, data): ograd where a_min <= data <= a_max, else 0
// (NaN data passes the gradient, as in MXNet).  One pass instead of the
// comparisons, logical ops and product it would take in other ops.
void backward_clip_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                           const std::vector<TBlob>& out) {
  const int64_t n = in[1].numel();
  MXL_TYPE_SWITCH(in[1].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      throw_error(MXL_ERR_TYPE, "Operator _backward_clip: argument 'data' has dtype bool, "
                  "which clip does not support; expected a numeric dtype");
    } else {
      using A = typename AccType<T>::type;
      const auto [lo, hi] = clip_bounds<T>(p);
      const T* g = in[0].ptr<const T>();
      const T* x = in[1].ptr<const T>();
      T* o = out[0].ptr<T>();
      parallel_for(n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          const A v = static_cast<A>(x[i]);
          const T gv = g[i];
          // '|' not '||': both compares unconditional, so the loop
          // if-converts to a vector blend (a short-circuit keeps it scalar).
          const bool outside = (v < lo) | (v > hi);
          o[i] = outside ? T(0) : gv;
        }
      });
    }
  })
}

void backward_clip_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &g = (*in)[0], &x = (*in)[1];
  if (!g.known() || !x.known()) return;
  MXL_CHECK(g == x, MXL_ERR_VALUE, "Operator _backward_clip: arguments 'ograd' of shape ",
            g.str(), " and 'data' of shape ", x.str(), " must have the same shape");
  (*out)[0] = x;
}

// clip's gradient is _backward_clip; that op is linear in ograd (its own
// gradient is itself) and piecewise constant in data (zero).
std::vector<GradValue> clip_gradient(GradBuilder& b, const GradNode& n) {
  if (!n.needs_input_grad[0]) return {GradValue{}};
  return {b.op("_backward_clip", {n.out_grads[0], n.inputs[0]}, n.params->attrs())};
}

std::vector<GradValue> backward_clip_gradient(GradBuilder& b, const GradNode& n) {
  std::vector<GradValue> grads(2);
  if (n.needs_input_grad[0])
    grads[0] = b.op("_backward_clip", {n.out_grads[0], n.inputs[1]}, n.params->attrs());
  if (n.needs_input_grad[1]) grads[1] = grad::zeros_of(b, n.inputs[1]);
  return grads;
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
    .set_forward(where_forward)
    .set_gradient(where_gradient);

MXL_REGISTER_OP(clip)
    .describe("Clips (limits) the values of an array to [a_min, a_max]: elements below a_min "
              "become a_min and elements above a_max become a_max.")
    .add_input("data", "Input array.")
    .add_param("a_min", "float", "", "Minimum value")
    .add_param("a_max", "float", "", "Maximum value")
    .set_infer_shape(infer_same_shape)
    .add_inplace(0, 0)
    .set_forward(clip_forward)
    .set_gradient(clip_gradient);

MXL_REGISTER_OP(_backward_clip)
    .describe("Gradient of clip: ograd where a_min <= data <= a_max, 0 elsewhere.")
    .add_input("ograd", "The gradient of clip's output.")
    .add_input("data", "clip's input.")
    .copy_params_from("clip")
    .set_infer_shape(backward_clip_shape)
    .add_inplace(0, 0)
    .set_forward(backward_clip_forward)
    .set_gradient(backward_clip_gradient);

}  // namespace
}  // namespace mxl
