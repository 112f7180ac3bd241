// LeakyReLU (MXNet 1.9): the parametrised rectifiers, chosen by act_type.
//
//   leaky  x > 0 ? x : slope * x
//   elu    x > 0 ? x : slope * (e^x - 1)
//   selu   lambda * (x > 0 ? x : alpha * (e^x - 1)), SELU's fixed constants
//   gelu   x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))   (MXNet 1.9's erf form)
//   prelu  x > 0 ? x : gamma * x, gamma a second input: one slope per
//          channel (axis 1) or a single slope
//   rrelu  x > 0 ? x : s * x, s drawn uniformly from [lower_bound,
//          upper_bound] per element in training, (lower + upper) / 2 otherwise.
//          Like MXNet, rrelu has a second visible output, the slopes used,
//          which its gradient reuses.
//
// The gradient is the hidden kernel _backward_LeakyReLU(ograd, data, output
// [, gamma or slopes]), which also produces gamma's gradient for prelu.
#include <cmath>

#include "operator/nn_util.h"
#include "operator/random_generator.h"

namespace mxl {
namespace {

using nn::Acc;
using nn::fill_elements;

enum Kind { kElu = 0, kGelu, kLeaky, kPrelu, kRrelu, kSelu };
const char* const kKindEnum = "enum{elu,gelu,leaky,prelu,rrelu,selu}";

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluLambda = 1.0507009873554804934193349852946;
constexpr double kSqrtHalf = 0.70710678118654752440;    // 1 / sqrt(2)
constexpr double kInvSqrt2Pi = 0.39894228040143267794;  // 1 / sqrt(2 pi)

Kind kind_of(const Params& p) { return static_cast<Kind>(p.get("act_type").i); }

// ---------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------

// prelu's gamma: one slope, or one per channel (axis 1).
void check_gamma(const char* op, const Shape& data, std::vector<Shape>* in, size_t gi) {
  Shape& g = (*in)[gi];
  const int64_t channels = data.ndim() >= 2 ? data[1] : 1;
  if (!g.known()) {
    g = Shape{channels};
    return;
  }
  MXL_CHECK(g.numel() == 1 || (g.ndim() == 1 && g[0] == channels), MXL_ERR_VALUE,
            op_error_prefix(op, "gamma"), " has shape ", g.str(),
            "; expected (1,) or one slope per channel (", channels, ",) for data of shape ",
            data.str());
}

void infer_leaky_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[0];
  if (!data.known()) return;
  if (kind_of(p) == kPrelu) check_gamma("LeakyReLU", data, in, 1);
  for (auto& o : *out) o = data;
}

void infer_leaky_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[1];
  for (int i : {0, 2})
    MXL_CHECK((*in)[i] == data, MXL_ERR_VALUE, "Operator _backward_LeakyReLU: input ", i,
              " has shape ", (*in)[i].str(), "; expected the data's shape ", data.str());
  (*out)[0] = data;
  if (kind_of(p) == kPrelu) {
    check_gamma("_backward_LeakyReLU", data, in, 3);
    (*out)[1] = (*in)[3];
  }
}

// ---------------------------------------------------------------------------
// Forward
// ---------------------------------------------------------------------------

// Slope index of element i for prelu: the channel, or 0 for a single slope.
struct ChannelOf {
  int64_t inner = 1, channels = 1;  // elements per channel run; slopes
  int64_t operator()(int64_t i) const { return channels == 1 ? 0 : (i / inner) % channels; }
};

ChannelOf channel_of(const Shape& data, const Shape& gamma) {
  ChannelOf c;
  if (gamma.numel() != 1) {
    c.channels = data[1];
    c.inner = data.prod(2, data.ndim());
  }
  return c;
}

template <typename T>
void leaky_forward_typed(const OpContext& ctx, const Params& p, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  using A = Acc<T>;
  const T* x = in[0].ptr<T>();
  T* y = out[0].ptr<T>();
  const int64_t n = in[0].numel();
  const A slope = static_cast<A>(p.get_float("slope"));
  switch (kind_of(p)) {
    case kLeaky:
      fill_elements(n, y, 1, [=](int64_t i) { A v = x[i]; return v > A(0) ? v : slope * v; });
      break;
    case kElu:
      fill_elements(n, y, 8, [=](int64_t i) {
        A v = x[i];
        return v > A(0) ? v : slope * std::expm1(v);
      });
      break;
    case kSelu:
      fill_elements(n, y, 8, [=](int64_t i) {
        A v = x[i];
        return A(kSeluLambda) * (v > A(0) ? v : A(kSeluAlpha) * std::expm1(v));
      });
      break;
    case kGelu:
      fill_elements(n, y, 8, [=](int64_t i) {
        A v = x[i];
        return A(0.5) * v * (A(1) + std::erf(v * A(kSqrtHalf)));
      });
      break;
    case kPrelu: {
      const T* g = in[1].ptr<T>();
      const ChannelOf ch = channel_of(in[0].shape, in[1].shape);
      fill_elements(n, y, 2, [=](int64_t i) {
        const A v = x[i], k = g[ch(i)];
        return v > A(0) ? v : k * v;
      });
      break;
    }
    case kRrelu: {
      T* s = out[1].ptr<T>();
      const double lo = p.get_float("lower_bound"), hi = p.get_float("upper_bound");
      if (ctx.is_train) {
        MXL_CHECK(ctx.rng != nullptr, MXL_ERR_RUNTIME,
                  "Operator LeakyReLU: internal: called without a random generator");
        const uint64_t key = (*ctx.rng)();
        fill_elements(n, s, 4, [=](int64_t i) {
          return static_cast<A>(lo + (hi - lo) * random::unit_double(random::stream_draw(key, i)));
        });
      } else {
        const A mid = static_cast<A>((lo + hi) / 2);
        fill_elements(n, s, 1, [=](int64_t) { return mid; });
      }
      fill_elements(n, y, 1, [=](int64_t i) {
        const A v = x[i], k = s[i];
        return v > A(0) ? v : k * v;
      });
      break;
    }
  }
}

void check_bounds(const Params& p) {
  if (kind_of(p) != kRrelu) return;
  const double lo = p.get_float("lower_bound"), hi = p.get_float("upper_bound");
  MXL_CHECK(lo <= hi, MXL_ERR_VALUE,
            "Operator LeakyReLU: argument 'lower_bound' must not exceed 'upper_bound', got ", lo,
            " and ", hi);
}

void leaky_forward(const OpContext& ctx, const Params& p, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "LeakyReLU", { leaky_forward_typed<T>(ctx, p, in, out); })
}

// ---------------------------------------------------------------------------
// Backward: inputs (ograd, data, output[, gamma | slopes])
// ---------------------------------------------------------------------------

template <typename T>
void leaky_backward_typed(const Params& p, const std::vector<TBlob>& in,
                          const std::vector<TBlob>& out) {
  using A = Acc<T>;
  const T* dy = in[0].ptr<T>();
  const T* x = in[1].ptr<T>();
  const T* y = in[2].ptr<T>();
  T* dx = out[0].ptr<T>();
  const int64_t n = in[0].numel();
  const A slope = static_cast<A>(p.get_float("slope"));
  switch (kind_of(p)) {
    case kLeaky:
      fill_elements(n, dx, 1, [=](int64_t i) {
        const A g = dy[i];  // loaded unconditionally so the loop vectorizes
        return A(x[i]) > A(0) ? g : slope * g;
      });
      break;
    case kElu:  // d/dx slope (e^x - 1) = y + slope
      fill_elements(n, dx, 1, [=](int64_t i) {
        const A g = dy[i], v = y[i];
        return A(x[i]) > A(0) ? g : g * (v + slope);
      });
      break;
    case kSelu:  // lambda alpha e^x = y + lambda alpha
      fill_elements(n, dx, 1, [=](int64_t i) {
        const A v = y[i];
        return A(dy[i]) * (A(x[i]) > A(0) ? A(kSeluLambda) : v + A(kSeluLambda * kSeluAlpha));
      });
      break;
    case kGelu:  // Phi(x) + x phi(x)
      fill_elements(n, dx, 8, [=](int64_t i) {
        A v = x[i];
        A cdf = A(0.5) * (A(1) + std::erf(v * A(kSqrtHalf)));
        return A(dy[i]) * (cdf + v * A(kInvSqrt2Pi) * std::exp(A(-0.5) * v * v));
      });
      break;
    case kRrelu: {
      const T* s = in[3].ptr<T>();
      fill_elements(n, dx, 1, [=](int64_t i) {
        const A g = dy[i], k = s[i];
        return A(x[i]) > A(0) ? g : k * g;
      });
      break;
    }
    case kPrelu: {
      const T* g = in[3].ptr<T>();
      const ChannelOf ch = channel_of(in[1].shape, in[3].shape);
      fill_elements(n, dx, 2, [=](int64_t i) {
        const A d = dy[i], k = g[ch(i)];
        return A(x[i]) > A(0) ? d : k * d;
      });
      // dgamma[c] = sum of dy * x over the non-positive x of channel c.
      // Channels are independent: parallel over them, each summing its runs.
      T* dg = out[1].ptr<T>();
      const int64_t runs = ch.channels == 1 ? 1 : n / (ch.inner * ch.channels);
      const int64_t run_len = ch.channels == 1 ? n : ch.inner;
      parallel_for(ch.channels, [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c) {
          double acc = 0;
          for (int64_t r = 0; r < runs; ++r) {
            const int64_t base = (r * ch.channels + c) * run_len;
            for (int64_t j = base; j < base + run_len; ++j)
              if (A(x[j]) <= A(0)) acc += static_cast<double>(A(dy[j])) * static_cast<double>(A(x[j]));
          }
          dg[c] = static_cast<T>(static_cast<A>(acc));
        }
      }, n / (ch.channels > 0 ? ch.channels : 1));
      break;
    }
  }
}

void leaky_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "_backward_LeakyReLU", { leaky_backward_typed<T>(p, in, out); })
}

std::vector<GradValue> leaky_gradient(GradBuilder& b, const GradNode& n) {
  const Kind k = kind_of(*n.params);
  std::vector<GradValue> ins = {n.out_grads[0], n.inputs[0], n.outputs[0]};
  if (k == kPrelu) ins.push_back(n.inputs[1]);
  if (k == kRrelu) ins.push_back(n.outputs[1]);
  std::vector<GradValue> g = b.apply("_backward_LeakyReLU", ins, n.params->attrs());
  std::vector<GradValue> r(n.inputs.size());
  if (n.needs_input_grad[0]) r[0] = g[0];
  if (k == kPrelu && n.needs_input_grad[1]) r[1] = g[1];
  return r;
}

void register_leaky_relu() {
  OpDef& op = Registry::get().add("LeakyReLU");
  op.describe(
        "Applies a leaky rectifier chosen by act_type: leaky (x > 0 ? x : slope*x), elu "
        "(slope*(exp(x)-1) for x <= 0), selu, gelu (0.5x(1+erf(x/sqrt(2)))), prelu (learned "
        "per-channel slope gamma, a second input) or rrelu (random slope in "
        "[lower_bound, upper_bound] when training, their mean otherwise).")
      .add_input("data", "Input data to activation function.")
      .add_input("gamma", "Input data to activation function (prelu only).")
      .add_param("act_type", kKindEnum, "leaky", "Activation function to be applied.")
      .add_param("slope", "float", "0.25", "Init slope for the activation. (For leaky and elu only)")
      .add_param("lower_bound", "float", "0.125", "Lower bound of random slope. (For rrelu only)")
      .add_param("upper_bound", "float", "0.334", "Upper bound of random slope. (For rrelu only)")
      .set_infer_shape([](const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
        check_bounds(p);
        infer_leaky_shape(p, in, out);
      })
      .set_infer_type(nn::infer_float_type)
      .set_needs_rng()
      .set_forward(leaky_forward)
      .set_gradient(leaky_gradient);
  op.num_inputs_fn = [](const Params& p) { return kind_of(p) == kPrelu ? 2 : 1; };
  op.set_outputs({"output", "mask"});
  op.set_num_outputs([](const Params& p) { return kind_of(p) == kRrelu ? 2 : 1; });

  OpDef& bw = Registry::get().add("_backward_LeakyReLU");
  bw.describe("Gradient of LeakyReLU from (ograd, data, output[, gamma or slopes]).")
      .add_input("ograd", "Gradient of the output.")
      .add_input("data", "The forward's input.")
      .add_input("output", "The forward's output.")
      .add_input("extra", "prelu's gamma or rrelu's slopes.")
      .copy_params_from("LeakyReLU")
      .set_outputs({"data_grad", "gamma_grad"})
      .set_num_outputs([](const Params& p) { return kind_of(p) == kPrelu ? 2 : 1; })
      .set_infer_shape(infer_leaky_backward_shape)
      .set_infer_type(nn::infer_float_type)
      .set_forward(leaky_backward);
  bw.num_inputs_fn = [](const Params& p) {
    const Kind k = kind_of(p);
    return k == kPrelu || k == kRrelu ? 4 : 3;
  };
}

MXL_REGISTER_BLOCK(register_leaky_relu);

}  // namespace
}  // namespace mxl
