// softmax, log_softmax and softmin (MXNet 1.9) along one axis.
//
//   softmax(x)_i     = exp(x_i / T) / sum_j exp(x_j / T)
//   log_softmax(x)_i = x_i / T - log sum_j exp(x_j / T)
//   softmin(x)       = softmax(-x)
//
// computed stably (the row maximum is subtracted before exp) in float for
// float16/float32 and double for float64.  `dtype` picks the output dtype
// (e.g. float32 probabilities from float16 logits).  softmax's use_length
// takes a second input, one length per row (the data's shape without
// `axis`): positions at or beyond the length are excluded and output 0.
//
// Each row is gathered into a contiguous buffer, so rows along any axis use
// the same vectorizable loops.  Gradients are the hidden kernels
// _backward_softmax / _backward_log_softmax / _backward_softmin(ograd,
// output[, length]), computed from the output alone.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "operator/nn_util.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

enum Kind { kSoftmax, kLogSoftmax, kSoftmin };

Kind kind_of(const Params& p) {
  const std::string& n = p.op()->name;
  if (n == "log_softmax" || n == "_backward_log_softmax") return kLogSoftmax;
  if (n == "softmin" || n == "_backward_softmin") return kSoftmin;
  return kSoftmax;
}

bool use_length(const Params& p) { return !p.is_none("use_length") && p.get_bool("use_length"); }

double inv_temperature(const Params& p) {
  if (p.is_none("temperature")) return 1.0;
  const double t = p.get_float("temperature");
  MXL_CHECK(t != 0 && std::isfinite(t), MXL_ERR_VALUE,
            op_error_prefix(p.op()->name, "temperature"), " must be finite and nonzero, got ", t);
  return 1.0 / t;
}

// Rows of the data along `axis`: outer * inner rows of n elements, stride inner.
struct Rows {
  int64_t outer = 1, n = 1, inner = 1;
  int64_t count() const { return outer * inner; }
  int64_t base(int64_t r) const { return (r / inner) * n * inner + r % inner; }
};

Rows rows_of(const Params& p, const Shape& s) {
  const int ax = shape_ops::normalize_axis(p.get_int("axis"), s.ndim(), p.op()->name.c_str(), "axis");
  Rows r;
  r.outer = s.prod(0, ax);
  r.n = s[ax];
  r.inner = s.prod(ax + 1, s.ndim());
  return r;
}

Shape length_shape(const Params& p, const Shape& data) {
  const int ax = shape_ops::normalize_axis(p.get_int("axis"), data.ndim(), p.op()->name.c_str(), "axis");
  Shape s = data;
  s.erase(ax);
  return s;
}

// ---------------------------------------------------------------------------
// Inference
// ---------------------------------------------------------------------------

void infer_softmax_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[0];
  if (!data.known()) return;
  MXL_CHECK(data.ndim() >= 1, MXL_ERR_VALUE, op_error_prefix(p.op()->name, "data"),
            " is 0-d; expected at least one dimension");
  const Shape ls = length_shape(p, data);
  if (use_length(p)) {
    MXL_CHECK(kind_of(p) == kSoftmax, MXL_ERR_VALUE, op_error_prefix(p.op()->name, "use_length"),
              ": only softmax takes a length input");
    if (!(*in)[1].known()) (*in)[1] = ls;
    MXL_CHECK((*in)[1] == ls, MXL_ERR_VALUE, op_error_prefix(p.op()->name, "length"),
              " has shape ", (*in)[1].str(), "; expected ", ls.str(),
              " (the data's shape without axis ", p.get_int("axis"), ")");
  }
  (*out)[0] = data;
}

DType output_dtype(const Params& p, DType data) {
  if (p.is_none("dtype")) return data;
  DType t = data;
  dtype_from_name(p.get_enum("dtype"), &t);
  return t;
}

void check_length_type(const Params& p, DType t) {
  MXL_CHECK(t != DType::kBool, MXL_ERR_TYPE, op_error_prefix(p.op()->name, "length"),
            " has dtype bool; expected integer lengths");
}

void infer_softmax_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  const DType t = (*in)[0];
  MXL_CHECK(is_float(t), MXL_ERR_TYPE, op_error_prefix(p.op()->name, "data"), " has dtype ",
            dtype_name(t), "; expected float16, float32 or float64");
  if (in->size() > 1) check_length_type(p, (*in)[1]);
  (*out)[0] = output_dtype(p, t);
}

// ---------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------

// Row lengths from the length array (truncated, clipped into [0, n]), or n.
template <typename F>
void with_lengths(const std::vector<TBlob>& in, size_t li, bool enabled, int64_t n, F&& f) {
  if (!enabled) {
    f([n](int64_t) { return n; });
    return;
  }
  MXL_TYPE_SWITCH(in[li].dtype, L, {
    if constexpr (!std::is_same_v<L, bool>) {
      const L* len = in[li].ptr<L>();
      f([len, n](int64_t r) {
        const double v = static_cast<double>(len[r]);
        return v > 0 ? static_cast<int64_t>(std::min(v, static_cast<double>(n))) : int64_t(0);
      });
    }
  })
}

// One row, contiguous, in the accumulation type A.  x is scaled in place.
template <typename A>
void softmax_row(Kind kind, A scale, int64_t len, int64_t n, A* x, A* y) {
  for (int64_t k = 0; k < len; ++k) x[k] *= scale;
  A m = -std::numeric_limits<A>::infinity();
  for (int64_t k = 0; k < len; ++k) m = std::max(m, x[k]);
  A sum = 0;
  for (int64_t k = 0; k < len; ++k) {
    y[k] = std::exp(x[k] - m);
    sum += y[k];
  }
  if (kind == kLogSoftmax) {
    const A lse = m + std::log(sum);
    for (int64_t k = 0; k < len; ++k) y[k] = x[k] - lse;
  } else {
    const A inv = A(1) / sum;
    for (int64_t k = 0; k < len; ++k) y[k] *= inv;
  }
  for (int64_t k = len; k < n; ++k) y[k] = 0;
}

template <typename T, typename O>
void softmax_typed(const Params& p, const std::vector<TBlob>& in, const TBlob& out) {
  using A = nn::Acc<std::conditional_t<std::is_same_v<T, double> || std::is_same_v<O, double>,
                                       double, float>>;
  const Rows rows = rows_of(p, in[0].shape);
  const Kind kind = kind_of(p);
  const A scale = static_cast<A>(inv_temperature(p) * (kind == kSoftmin ? -1.0 : 1.0));
  const T* x = in[0].ptr<T>();
  O* y = out.ptr<O>();
  with_lengths(in, 1, use_length(p), rows.n, [&](auto length_of) {
    parallel_for(rows.count(), [&](int64_t r0, int64_t r1) {
      std::vector<A> xb(rows.n), yb(rows.n);
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t base = rows.base(r), st = rows.inner;
        for (int64_t k = 0; k < rows.n; ++k) xb[k] = static_cast<A>(x[base + k * st]);
        softmax_row(kind, scale, length_of(r), rows.n, xb.data(), yb.data());
        for (int64_t k = 0; k < rows.n; ++k) y[base + k * st] = static_cast<O>(yb[k]);
      }
    }, rows.n * 8);
  });
}

void softmax_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, p.op()->name, {
    MXL_FLOAT_SWITCH(out[0].dtype, O, p.op()->name, { softmax_typed<T, O>(p, in, out[0]); })
  })
}

// dx from dy and y along one row (scale = 1/T, negated for softmin):
//   softmax:     dx = scale * y * (dy - sum(dy * y))
//   log_softmax: dx = scale * (dy - exp(y) * sum(dy))
template <typename A>
void softmax_grad_row(Kind kind, A scale, int64_t len, int64_t n, const A* dy, const A* y, A* dx) {
  if (kind == kLogSoftmax) {
    A s = 0;
    for (int64_t k = 0; k < len; ++k) s += dy[k];
    for (int64_t k = 0; k < len; ++k) dx[k] = scale * (dy[k] - std::exp(y[k]) * s);
  } else {
    A s = 0;
    for (int64_t k = 0; k < len; ++k) s += dy[k] * y[k];
    for (int64_t k = 0; k < len; ++k) dx[k] = scale * y[k] * (dy[k] - s);
  }
  for (int64_t k = len; k < n; ++k) dx[k] = 0;
}

template <typename T>
void softmax_backward_typed(const Params& p, const std::vector<TBlob>& in, const TBlob& out) {
  using A = nn::Acc<T>;
  const Rows rows = rows_of(p, in[0].shape);
  const Kind kind = kind_of(p);
  const A scale = static_cast<A>(inv_temperature(p) * (kind == kSoftmin ? -1.0 : 1.0));
  const T* dy = in[0].ptr<T>();
  const T* y = in[1].ptr<T>();
  T* dx = out.ptr<T>();
  with_lengths(in, 2, use_length(p), rows.n, [&](auto length_of) {
    parallel_for(rows.count(), [&](int64_t r0, int64_t r1) {
      std::vector<A> gb(rows.n), yb(rows.n), xb(rows.n);
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t base = rows.base(r), st = rows.inner;
        for (int64_t k = 0; k < rows.n; ++k) {
          gb[k] = static_cast<A>(dy[base + k * st]);
          yb[k] = static_cast<A>(y[base + k * st]);
        }
        softmax_grad_row(kind, scale, length_of(r), rows.n, gb.data(), yb.data(), xb.data());
        for (int64_t k = 0; k < rows.n; ++k) dx[base + k * st] = static_cast<T>(xb[k]);
      }
    }, rows.n * 4);
  });
}

void softmax_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, p.op()->name, { softmax_backward_typed<T>(p, in, out[0]); })
}

void infer_softmax_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& y = (*in)[1];
  MXL_CHECK((*in)[0] == y, MXL_ERR_VALUE, op_error_prefix(p.op()->name, "ograd"), " has shape ",
            (*in)[0].str(), "; expected the output's shape ", y.str());
  if (use_length(p))
    MXL_CHECK((*in)[2] == length_shape(p, y), MXL_ERR_VALUE, op_error_prefix(p.op()->name, "length"),
              " has shape ", (*in)[2].str(), "; expected ", length_shape(p, y).str());
  (*out)[0] = y;
}

void infer_softmax_backward_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  MXL_CHECK((*in)[0] == (*in)[1] && is_float((*in)[0]), MXL_ERR_TYPE, "Operator ", p.op()->name,
            ": 'ograd' and 'output' must share one float dtype, got ", dtype_name((*in)[0]),
            " and ", dtype_name((*in)[1]));
  if (in->size() > 2) check_length_type(p, (*in)[2]);
  (*out)[0] = (*in)[0];
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

OpDef& add_softmax_params(OpDef& op) {
  return op.add_param("axis", "int", "-1", "The axis along which to compute softmax.")
      .add_param("temperature", "optional<float>", "None", "Temperature parameter in softmax")
      .add_param("dtype", "optional<enum{float16,float32,float64}>", "None",
                 "DType of the output in case this can't be inferred. Defaults to the same as "
                 "input's dtype if not defined (dtype=None).")
      .add_param("use_length", "optional<bool>", "False",
                 "Whether to use the length input as a mask over the data input.");
}

void register_softmax_family() {
  struct Def {
    const char* name;
    const char* doc;
  };
  const Def defs[] = {
      {"softmax", "Applies the softmax function along an axis: exp(x/T) / sum(exp(x/T)). "
                  "With use_length=True a second input gives each row's length; positions "
                  "beyond it are excluded and set to 0."},
      {"log_softmax", "Computes the log softmax of the input along an axis: x/T - "
                      "log(sum(exp(x/T))), stably."},
      {"softmin", "Applies the softmin function along an axis: softmax(-x/T)."},
  };
  for (const Def& d : defs) {
    const std::string name = d.name, bw_name = "_backward_" + name;
    OpDef& op = Registry::get().add(name);
    op.describe(d.doc).add_input("data", "The input array.");
    if (name == "softmax") op.add_input("length", "The length array (use_length=True only).");
    add_softmax_params(op)
        .set_infer_shape(infer_softmax_shape)
        .set_infer_type(infer_softmax_type)
        .set_forward(softmax_forward)
        .set_gradient([bw_name](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
          std::vector<GradValue> ins = {n.out_grads[0], n.outputs[0]};
          if (n.inputs.size() > 1) ins.push_back(n.inputs[1]);
          GradValue dx = b.op(bw_name, ins, n.params->attrs());
          const DType t = b.dtype(n.inputs[0]);
          if (b.dtype(dx) != t) dx = b.op("Cast", {dx}, {{"dtype", dtype_name(t)}});
          std::vector<GradValue> r(n.inputs.size());
          r[0] = dx;
          return r;
        });
    if (name == "softmax")
      op.num_inputs_fn = [](const Params& p) { return use_length(p) ? 2 : 1; };

    OpDef& bw = Registry::get().add(bw_name);
    bw.describe("Gradient of " + name + " from (ograd, output[, length]).")
        .add_input("ograd", "Gradient of the output.")
        .add_input("output", "The forward's output.");
    if (name == "softmax") bw.add_input("length", "The forward's lengths (use_length=True only).");
    bw.copy_params_from(name)
        .set_infer_shape(infer_softmax_backward_shape)
        .set_infer_type(infer_softmax_backward_type)
        .set_forward(softmax_backward);
    if (name == "softmax")
      bw.num_inputs_fn = [](const Params& p) { return use_length(p) ? 3 : 2; };
  }
}

MXL_REGISTER_BLOCK(register_softmax_family);

}  // namespace
}  // namespace mxl
