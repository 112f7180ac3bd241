// L2Normalization (MXNet 1.9 semantics) and its hidden backward.
//
// out = x / sqrt(sum(x^2) + eps), the sum taken per
//   instance  sample (over all axes but the first; any rank >= 1),
//   channel   (sample, spatial position) over axis 1 (rank >= 3),
//   spatial   (sample, channel) over the spatial axes (rank >= 3).
// Every mode is a reduction over the middle of an (outer, mid, inner) view.
// A hidden output keeps the norms for the gradient
//   dx = dy / s - x * sum(dy * x) / s^3.
#include <algorithm>
#include <cmath>
#include <vector>

#include "autograd/gradient.h"
#include "common/parallel.h"
#include "operator/norm_common.h"
#include "operator/registry.h"

namespace mxl {
namespace {

using norm::Split3;

constexpr int64_t kTile = 256;

// The view for the mode; checks the rank.
Split3 l2_view(const Params& p, const Shape& x, const char* op) {
  const std::string& mode = p.get_enum("mode");
  if (mode == "instance") {
    MXL_CHECK(x.ndim() >= 1, MXL_ERR_VALUE, op_error_prefix(op, "data"),
              " must have at least one dimension");
    return Split3{x[0], x.prod(1, x.ndim()), 1};
  }
  MXL_CHECK(x.ndim() >= 3, MXL_ERR_VALUE, op_error_prefix(op, "data"), " has shape ", x.str(),
            "; mode='", mode, "' needs at least 3 dimensions (batch, channel, spatial...)");
  if (mode == "channel") return Split3{x[0], x[1], x.prod(2, x.ndim())};
  return Split3{x[0] * x[1], x.prod(2, x.ndim()), 1};
}

// The norms' shape: the data's with the reduced axes removed.
Shape norm_shape(const Params& p, const Shape& x) {
  const std::string& mode = p.get_enum("mode");
  if (mode == "instance") return Shape{x[0]};
  if (mode == "spatial") return Shape{x[0], x[1]};
  Shape s = x;
  s.erase(1);
  return s;
}

void l2_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const double eps = p.get_float("eps");
  MXL_CHECK(std::isfinite(eps) && eps >= 0, MXL_ERR_VALUE,
            op_error_prefix("L2Normalization", "eps"), " must be a non-negative number, got ", eps);
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  l2_view(p, x, "L2Normalization");
  (*out)[0] = x;
  (*out)[1] = norm_shape(p, x);
}

// Sums over mid of f(a[k], b[k]) for each (outer, inner) position, into
// res[outer * inner].  f is x*x (forward) or dy*x (backward).
template <typename DT, typename A, bool kSquare>
void mid_sums(const DT* a, const DT* b, const Split3& s, A* res) {
  if (s.inner == 1) {
    parallel_for(s.outer, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        if (kSquare) {
          res[r] = norm::run_sqdev(a + r * s.mid, s.mid, A(0));
        } else {
          A unused;
          norm::run_grad_sums(a + r * s.mid, b + r * s.mid, s.mid, A(0), &unused, &res[r]);
        }
      }
    }, s.mid * 2);
    return;
  }
  const int64_t per = (s.inner + kTile - 1) / kTile;
  parallel_for(s.outer * per, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / per, i0 = (t % per) * kTile, n = std::min(kTile, s.inner - i0);
      A* r = res + o * s.inner + i0;
      std::fill(r, r + n, A(0));
      for (int64_t c = 0; c < s.mid; ++c) {
        const int64_t off = (o * s.mid + c) * s.inner + i0;
        const DT* pa = a + off;
        const DT* pb = b + off;
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) r[i] += static_cast<A>(pa[i]) * static_cast<A>(pb[i]);
      }
    }
  }, s.mid * kTile * 2);
}

// out = dy * ka[pos] + x * kb[pos] for every element, pos its (outer, inner).
template <typename DT, typename A>
void scale_by_position(const DT* dy, const DT* x, DT* out, const Split3& s, const A* ka,
                       const A* kb) {
  parallel_for(s.outer * s.mid, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t o = r / s.mid;
      const A* pa = ka + o * s.inner;
      const A* pb = kb ? kb + o * s.inner : nullptr;
      const DT* d = dy + r * s.inner;
      const DT* xr = x + r * s.inner;
      DT* y = out + r * s.inner;
      if (s.inner == 1) {
        norm::run_affine2(d, xr, y, 1, pa[0], pb ? pb[0] : A(0), A(0));
        continue;
      }
      if (pb) {
#pragma omp simd
        for (int64_t i = 0; i < s.inner; ++i)
          y[i] = static_cast<DT>(static_cast<A>(d[i]) * pa[i] + static_cast<A>(xr[i]) * pb[i]);
      } else {
#pragma omp simd
        for (int64_t i = 0; i < s.inner; ++i) y[i] = static_cast<DT>(static_cast<A>(d[i]) * pa[i]);
      }
    }
  }, std::max<int64_t>(s.inner, 1) * 2);
}

template <typename DT>
void l2_forward_typed(const Params& p, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  using A = norm::acc_t<DT>;
  const Split3 s = l2_view(p, in[0].shape, "L2Normalization");
  const int64_t npos = s.outer * s.inner;
  const DT* x = in[0].ptr<DT>();
  std::vector<A> inv(npos);
  mid_sums<DT, A, true>(x, x, s, inv.data());
  const A eps = static_cast<A>(p.get_float("eps"));
  DT* norms = out[1].ptr<DT>();
  for (int64_t k = 0; k < npos; ++k) {
    const A n = std::sqrt(inv[k] + eps);
    norms[k] = static_cast<DT>(n);
    inv[k] = A(1) / n;
  }
  if (s.inner == 1) {  // rows: one scale per row
    parallel_for(s.outer, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
        norm::run_affine(x + r * s.mid, out[0].ptr<DT>() + r * s.mid, s.mid, inv[r], A(0));
    }, s.mid);
    return;
  }
  scale_by_position<DT, A>(x, x, out[0].ptr<DT>(), s, inv.data(), nullptr);
}

void l2_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, DT, "L2Normalization", { l2_forward_typed<DT>(p, in, out); });
}

// _backward_L2Normalization.  in: out_grad, data, norm.  out: data_grad.
void l2_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[1];
  if (!x.known()) return;
  l2_view(p, x, "_backward_L2Normalization");
  MXL_CHECK((*in)[0] == x && (*in)[2] == norm_shape(p, x), MXL_ERR_VALUE,
            "Operator _backward_L2Normalization: out_grad must have data's shape ", x.str(),
            " and norm the shape ", norm_shape(p, x).str());
  (*out)[0] = x;
}

template <typename DT>
void l2_backward_typed(const Params& p, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  using A = norm::acc_t<DT>;
  const Split3 s = l2_view(p, in[1].shape, "_backward_L2Normalization");
  const int64_t npos = s.outer * s.inner;
  const DT* dy = in[0].ptr<DT>();
  const DT* x = in[1].ptr<DT>();
  const DT* norms = in[2].ptr<DT>();
  std::vector<A> ka(npos), kb(npos);
  mid_sums<DT, A, false>(dy, x, s, kb.data());
  for (int64_t k = 0; k < npos; ++k) {
    const A inv = A(1) / static_cast<A>(norms[k]);
    ka[k] = inv;
    kb[k] = -kb[k] * inv * inv * inv;
  }
  scale_by_position<DT, A>(dy, x, out[0].ptr<DT>(), s, ka.data(), kb.data());
}

void l2_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[1].dtype, DT, "_backward_L2Normalization",
                   { l2_backward_typed<DT>(p, in, out); });
}

std::vector<GradValue> l2_gradient(GradBuilder& b, const GradNode& n) {
  return {b.op("_backward_L2Normalization", {n.out_grads[0], n.inputs[0], n.outputs[1]},
               n.params->attrs())};
}

MXL_REGISTER_OP(L2Normalization)
    .describe("Normalizes data to unit L2 norm: out = x / sqrt(sum(x^2) + eps), the sum taken "
              "per sample over all other axes (mode='instance'), per (sample, position) over "
              "axis 1 (mode='channel'), or per (sample, channel) over the spatial axes "
              "(mode='spatial'). channel and spatial need at least 3 dimensions.")
    .add_input("data", "Input array to normalize.")
    .set_outputs({"output", "norm"})
    .add_param("eps", "float", "1e-10", "A small constant for numerical stability.")
    .add_param("mode", "enum{channel,instance,spatial}", "instance",
               "Specify the dimension along which to compute L2 norm.")
    .set_num_visible_outputs([](const Params&) { return 1; })
    .set_infer_shape(l2_shape)
    .set_infer_type(norm::infer_type_uniform_float)
    .set_forward(l2_forward)
    .set_gradient(l2_gradient);

MXL_REGISTER_OP(_backward_L2Normalization)
    .describe("Gradient of L2Normalization with respect to data.")
    .add_input("out_grad", "gradient of L2Normalization's output")
    .add_input("data", "L2Normalization's input")
    .add_input("norm", "the forward's norms")
    .copy_params_from("L2Normalization")
    .set_infer_shape(l2_backward_shape)
    .set_infer_type(norm::infer_type_uniform_float)
    .set_forward(l2_backward);

}  // namespace
}  // namespace mxl
