// SoftmaxOutput (alias Softmax) and softmax_cross_entropy (MXNet 1.9).
//
// SoftmaxOutput's forward is a softmax; its gradient is that of the cross
// entropy with the label and ignores the head gradient (MXNet's loss-layer
// convention):  dx = (softmax - onehot(label)) * grad_scale / normalizer.
// The softmax runs
//   default          over each row of data seen as (d0, d1*...*dn);
//   preserve_shape   over the last axis;
//   multi_output     over axis 1, one label per (d0, d2, ..., dn) position.
// Labels are class indices (truncated toward zero; a label outside
// [0, classes) subtracts nothing, as in MXNet), or, when the label has the
// data's shape, probabilities (dx = (softmax - label) * grad_scale).
// use_ignore zeroes the rows whose label equals ignore_label.  normalization
// 'batch' divides by the number of rows (multi_output: d0), 'valid' by the
// number of labels different from ignore_label (at least 1).  smooth_alpha
// moves alpha of the target mass evenly onto the other classes.  out_grad
// multiplies by the head gradient (MXNet 1.9's imperative mode multiplies by
// the output instead, which is a bug not reproduced here).
//
// softmax_cross_entropy(data (N, C), label (N,)) is sum_i -log softmax(x_i)
// [label_i], shaped (1,); labels outside [0, C) are an error.
#include <algorithm>
#include <cmath>
#include <limits>

#include "operator/nn_util.h"

namespace mxl {
namespace {

const char* const kOp = "SoftmaxOutput";

// Rows of the softmax: outer * inner rows of n classes, stride inner.
struct Layout {
  int64_t outer = 1, n = 1, inner = 1;
  int64_t rows() const { return outer * inner; }
  int64_t base(int64_t r) const { return (r / inner) * n * inner + r % inner; }
};

Layout layout_of(const Params& p, const Shape& s) {
  Layout l;
  if (p.get_bool("multi_output")) {
    MXL_CHECK(s.ndim() >= 2, MXL_ERR_VALUE, op_error_prefix(kOp, "data"), " has shape ", s.str(),
              "; multi_output needs at least 2 dimensions");
    l.outer = s[0];
    l.n = s[1];
    l.inner = s.prod(2, s.ndim());
  } else if (p.get_bool("preserve_shape")) {
    l.outer = s.prod(0, s.ndim() - 1);
    l.n = s.back();
  } else {
    l.outer = s.ndim() ? s[0] : 1;
    l.n = s.ndim() ? s.prod(1, s.ndim()) : 1;
  }
  return l;
}

// Whether `label` fits `data`: class indices (one per row) or probabilities.
bool label_is_probability(const Shape& data, const Shape& label) { return label == data; }

void check_label_shape(const Params& p, const Shape& data, const Shape& label) {
  const Layout l = layout_of(p, data);
  bool ok = false;
  std::string expected;
  if (p.get_bool("multi_output")) {
    Shape a{data[0], l.inner}, b = data, c = data;
    b.erase(1);
    c[1] = 1;
    ok = label == a || label == b || label == c;
    expected = a.str() + ", " + b.str() + " or " + c.str();
  } else {
    Shape a = data;
    a.erase(data.ndim() - 1);
    ok = label_is_probability(data, label) || (label == a && a.numel() == l.rows()) ||
         label == Shape{l.rows()};
    expected = (a.numel() == l.rows() ? a.str() + " or " : std::string()) +
               Shape{l.rows()}.str() + " (class indices) or " + data.str() + " (probabilities)";
  }
  MXL_CHECK(ok, MXL_ERR_VALUE, op_error_prefix(kOp, "label"), " has shape ", label.str(),
            " which does not fit data of shape ", data.str(), " (multi_output=",
            nn::py_bool(p.get_bool("multi_output")), ", preserve_shape=",
            nn::py_bool(p.get_bool("preserve_shape")), "); expected ", expected);
}

void infer_softmax_output_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[0];
  if (!data.known()) return;
  MXL_CHECK(data.ndim() >= 1, MXL_ERR_VALUE, op_error_prefix(kOp, "data"), " is 0-d");
  Shape& label = (*in)[1];
  if (!label.known()) {
    const Layout l = layout_of(p, data);
    label = p.get_bool("multi_output") ? Shape{data[0], l.inner} : Shape{l.rows()};
  }
  check_label_shape(p, data, label);
  (*out)[0] = data;
}

void infer_softmax_output_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  const DType t = (*in)[0];
  MXL_CHECK(is_float(t), MXL_ERR_TYPE, op_error_prefix(p.op()->name, "data"), " has dtype ",
            dtype_name(t), "; expected float16, float32 or float64");
  MXL_CHECK((*in)[1] != DType::kBool, MXL_ERR_TYPE, op_error_prefix(p.op()->name, "label"),
            " has dtype bool; expected numeric labels");
  for (auto& o : *out) o = t;
}

// A numeric label array element as a double, whatever its dtype.
template <typename F>
void with_labels(const TBlob& label, F&& f) {
  MXL_TYPE_SWITCH(label.dtype, L, {
    if constexpr (!std::is_same_v<L, bool>) {
      const L* lp = label.ptr<L>();
      f([lp](int64_t i) { return static_cast<double>(lp[i]); });
    }
  })
}

template <typename T>
void softmax_rows(const Layout& l, const T* x, T* y) {
  using A = nn::Acc<T>;
  parallel_for(l.rows(), [&](int64_t r0, int64_t r1) {
    std::vector<A> buf(l.n);
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t base = l.base(r), st = l.inner;
      A m = -std::numeric_limits<A>::infinity();
      for (int64_t k = 0; k < l.n; ++k) m = std::max(m, A(x[base + k * st]));
      A sum = 0;
      for (int64_t k = 0; k < l.n; ++k) sum += (buf[k] = std::exp(A(x[base + k * st]) - m));
      const A inv = A(1) / sum;
      for (int64_t k = 0; k < l.n; ++k) y[base + k * st] = static_cast<T>(buf[k] * inv);
    }
  }, l.n * 8);
}

void softmax_output_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                            const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, kOp, {
    softmax_rows<T>(layout_of(p, in[0].shape), in[0].ptr<T>(), out[0].ptr<T>());
  })
}

// ---------------------------------------------------------------------------
// _backward_SoftmaxOutput(ograd, output, label) -> data gradient
// ---------------------------------------------------------------------------

template <typename T>
void softmax_output_grad(const Params& p, const std::vector<TBlob>& in, const TBlob& out) {
  using A = nn::Acc<T>;
  const Layout l = layout_of(p, in[1].shape);
  const T* og = in[0].ptr<T>();
  const T* y = in[1].ptr<T>();
  T* dx = out.ptr<T>();
  const bool use_og = p.get_bool("out_grad");
  const double scale = p.get_float("grad_scale");
  if (label_is_probability(in[1].shape, in[2].shape)) {
    with_labels(in[2], [&](auto label) {
      nn::fill_elements(out.numel(), dx, 2, [&](int64_t i) {
        A g = (A(y[i]) - static_cast<A>(label(i))) * static_cast<A>(scale);
        return use_og ? g * A(og[i]) : g;
      });
    });
    return;
  }
  const double ignore = p.get_float("ignore_label");
  const bool use_ignore = p.get_bool("use_ignore");
  const int64_t ignore_i = static_cast<int64_t>(ignore);
  const double alpha = p.get_float("smooth_alpha");
  const A on = static_cast<A>(1.0 - alpha);
  const A off = l.n > 1 ? static_cast<A>(alpha / static_cast<double>(l.n - 1)) : A(0);
  with_labels(in[2], [&](auto label) {
    double norm = 1;
    const std::string& mode = p.get_enum("normalization");
    if (mode == "batch") {
      norm = static_cast<double>(p.get_bool("multi_output") ? l.outer : l.rows());
    } else if (mode == "valid") {
      int64_t valid = 0;
      for (int64_t r = 0; r < l.rows(); ++r)
        valid += static_cast<int64_t>(label(r)) != ignore_i;
      norm = static_cast<double>(std::max<int64_t>(valid, 1));
    }
    const A factor = static_cast<A>(scale / norm);
    parallel_for(l.rows(), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t base = l.base(r), st = l.inner;
        const int64_t target = static_cast<int64_t>(label(r));
        const bool ignored = use_ignore && target == ignore_i;
        for (int64_t k = 0; k < l.n; ++k) {
          const int64_t i = base + k * st;
          A g = ignored ? A(0) : (A(y[i]) - (k == target ? on : off)) * factor;
          dx[i] = static_cast<T>(use_og ? g * A(og[i]) : g);
        }
      }
    }, l.n * 2);
  });
}

void softmax_output_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                             const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "_backward_SoftmaxOutput",
                   { softmax_output_grad<T>(p, in, out[0]); })
}

void infer_softmax_output_backward_shape(const Params& p, std::vector<Shape>* in,
                                         std::vector<Shape>* out) {
  const Shape& y = (*in)[1];
  MXL_CHECK((*in)[0] == y, MXL_ERR_VALUE, op_error_prefix("_backward_SoftmaxOutput", "ograd"),
            " has shape ", (*in)[0].str(), "; expected ", y.str());
  check_label_shape(p, y, (*in)[2]);
  (*out)[0] = y;
}

std::vector<GradValue> softmax_output_gradient(GradBuilder& b, const GradNode& n) {
  return {b.op("_backward_SoftmaxOutput", {n.out_grads[0], n.outputs[0], n.inputs[1]},
               n.params->attrs()),
          GradValue()};
}

// ---------------------------------------------------------------------------
// softmax_cross_entropy
// ---------------------------------------------------------------------------

void infer_sce_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const char* op = "softmax_cross_entropy";
  const Shape& d = (*in)[0];
  if (!d.known()) return;
  MXL_CHECK(d.ndim() == 2, MXL_ERR_VALUE, op_error_prefix(op, "data"), " has shape ", d.str(),
            "; expected a 2-d array (batch, classes)");
  if (!(*in)[1].known()) (*in)[1] = Shape{d[0]};
  MXL_CHECK((*in)[1] == Shape{d[0]}, MXL_ERR_VALUE, op_error_prefix(op, "label"), " has shape ",
            (*in)[1].str(), "; expected ", Shape{d[0]}.str(), " for data of shape ", d.str());
  (*out)[0] = Shape{1};
}

// The class of row r, checked.
int64_t checked_class(double v, int64_t classes, const char* op) {
  const int64_t c = static_cast<int64_t>(v);
  MXL_CHECK(v > -1 && c < classes, MXL_ERR_INDEX, op_error_prefix(op, "label"), " contains ", v,
            "; expected class indices in [0, ", classes, ")");
  return c;
}

template <typename T>
void sce_forward_typed(const TBlob& data, const TBlob& label, const TBlob& out) {
  const int64_t N = data.shape[0], C = data.shape[1];
  const T* x = data.ptr<T>();
  double total = 0;
  with_labels(label, [&](auto lab) {
    for (int64_t r = 0; r < N; ++r) {
      const T* row = x + r * C;
      const int64_t c = checked_class(lab(r), C, "softmax_cross_entropy");
      double m = -std::numeric_limits<double>::infinity(), sum = 0;
      for (int64_t k = 0; k < C; ++k) m = std::max(m, static_cast<double>(row[k]));
      for (int64_t k = 0; k < C; ++k) sum += std::exp(static_cast<double>(row[k]) - m);
      total += m + std::log(sum) - static_cast<double>(row[c]);
    }
  });
  out.ptr<T>()[0] = static_cast<T>(total);
}

template <typename T>
void sce_backward_typed(const TBlob& og, const TBlob& data, const TBlob& label, const TBlob& out) {
  const int64_t N = data.shape[0], C = data.shape[1];
  softmax_rows<T>(Layout{N, C, 1}, data.ptr<T>(), out.ptr<T>());
  using A = nn::Acc<T>;
  const A g = static_cast<A>(og.ptr<T>()[0]);
  T* dx = out.ptr<T>();
  with_labels(label, [&](auto lab) {
    for (int64_t r = 0; r < N; ++r) {
      const int64_t c = checked_class(lab(r), C, "_backward_softmax_cross_entropy");
      T* row = dx + r * C;
      for (int64_t k = 0; k < C; ++k) row[k] = static_cast<T>((A(row[k]) - (k == c ? A(1) : A(0))) * g);
    }
  });
}

void register_softmax_output() {
  OpDef& op = Registry::get().add("SoftmaxOutput");
  op.describe(
        "Computes the softmax of the input in the forward pass; in the backward pass, the "
        "gradient of the cross entropy with the label, (softmax - onehot(label)) * grad_scale "
        "/ normalizer, ignoring the head gradient. See preserve_shape and multi_output for "
        "which axis the softmax runs over.")
      .add_alias("Softmax")
      .add_input("data", "Input array.")
      .add_input("label", "Ground truth label.")
      .add_param("grad_scale", "float", "1", "Scales the gradient by a float factor.")
      .add_param("ignore_label", "float", "-1",
                 "The instances whose labels == ignore_label will be ignored during backward, "
                 "if use_ignore is set to true).")
      .add_param("multi_output", "bool", "False",
                 "If set to true, the softmax function will be computed along axis 1.")
      .add_param("use_ignore", "bool", "False",
                 "If set to true, the ignore_label value will not contribute to the backward "
                 "gradient.")
      .add_param("preserve_shape", "bool", "False",
                 "If set to true, the softmax function will be computed along the last axis.")
      .add_param("normalization", "enum{batch,null,valid}", "null",
                 "Normalizes the gradient.")
      .add_param("out_grad", "bool", "False", "Multiplies gradient with output gradient element-wise.")
      .add_param("smooth_alpha", "float", "0",
                 "Constant for computing a label smoothed version of cross-entropy for the "
                 "backwards pass.")
      .set_infer_shape(infer_softmax_output_shape)
      .set_infer_type(infer_softmax_output_type)
      .set_forward(softmax_output_forward)
      .set_gradient(softmax_output_gradient);

  Registry::get()
      .add("_backward_SoftmaxOutput")
      .describe("Gradient of SoftmaxOutput from (ograd, output, label).")
      .add_input("ograd", "Gradient of the output (used only with out_grad=True).")
      .add_input("output", "The forward's output.")
      .add_input("label", "The label.")
      .copy_params_from("SoftmaxOutput")
      .set_infer_shape(infer_softmax_output_backward_shape)
      .set_infer_type(infer_softmax_output_type)
      .set_forward(softmax_output_backward);

  Registry::get()
      .add("softmax_cross_entropy")
      .describe(
          "Calculate cross entropy of softmax output and one-hot label: sum over the batch of "
          "-log(softmax(data)[label]); data is (batch, classes), label (batch,), the output (1,).")
      .add_input("data", "Input data")
      .add_input("label", "Input label")
      .set_infer_shape(infer_sce_shape)
      .set_infer_type(infer_softmax_output_type)
      .set_forward([](const OpContext&, const Params& p, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
        MXL_FLOAT_SWITCH(in[0].dtype, T, "softmax_cross_entropy",
                         { sce_forward_typed<T>(in[0], in[1], out[0]); })
      })
      .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
        return {b.op("_backward_softmax_cross_entropy", {n.out_grads[0], n.inputs[0], n.inputs[1]}),
                GradValue()};
      });

  Registry::get()
      .add("_backward_softmax_cross_entropy")
      .describe("Gradient of softmax_cross_entropy from (ograd, data, label).")
      .add_input("ograd", "Gradient of the (1,) output.")
      .add_input("data", "The forward's data.")
      .add_input("label", "The forward's label.")
      .set_infer_shape([](const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
        MXL_CHECK((*in)[0] == Shape{1}, MXL_ERR_VALUE,
                  op_error_prefix("_backward_softmax_cross_entropy", "ograd"), " has shape ",
                  (*in)[0].str(), "; expected (1,)");
        std::vector<Shape> fwd_in = {(*in)[1], (*in)[2]}, fwd_out(1);
        infer_sce_shape(p, &fwd_in, &fwd_out);
        (*out)[0] = (*in)[1];
      })
      .set_infer_type([](const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
        MXL_CHECK((*in)[0] == (*in)[1] && is_float((*in)[0]), MXL_ERR_TYPE,
                  "Operator _backward_softmax_cross_entropy: 'ograd' and 'data' must share one "
                  "float dtype");
        (*out)[0] = (*in)[1];
      })
      .set_forward([](const OpContext&, const Params& p, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
        MXL_FLOAT_SWITCH(in[1].dtype, T, "_backward_softmax_cross_entropy",
                         { sce_backward_typed<T>(in[0], in[1], in[2], out[0]); })
      });
}

MXL_REGISTER_BLOCK(register_softmax_output);

}  // namespace
}  // namespace mxl
