// Random sampling operators: _random_uniform, _random_normal,
// _random_randint and the shape-of-an-input variants _random_uniform_like,
// _random_normal_like.
//
// Each call takes one 64-bit key from the global generator (ordered by the
// engine, see random_generator.h) and computes element i from draw i of the
// key's counter stream, so arrays are reproducible after a seed, identical
// for any thread count, and large ones are sampled in parallel.  The
// transforms are our own (not <random>'s distributions, whose output differs
// between standard libraries):
//   uniform  low + (high - low) * u, u from 53 random bits, kept below high
//            after rounding to the output dtype;
//   normal   Marsaglia and Tsang's ziggurat (256 layers);
//   randint  Lemire's multiply-shift with rejection, exactly uniform.
#include <cmath>
#include <limits>
#include <string>

#include "autograd/gradient.h"
#include "common/parallel.h"
#include "operator/creation_params.h"
#include "operator/random_generator.h"
#include "operator/registry.h"

namespace mxl {
namespace {

using random::stream_draw;
using random::unit_double;

const std::string& op_name(const Params& p) { return p.op()->name; }

// ---------------------------------------------------------------------------
// Parameter checks
// ---------------------------------------------------------------------------




void check_uniform_bounds(const Params& p) {
  const double low = p.get_float("low"), high = p.get_float("high");
  MXL_CHECK(std::isfinite(low) && std::isfinite(high), MXL_ERR_VALUE, "Operator ", op_name(p),
            ": arguments 'low' and 'high' must be finite, got low=", low, ", high=", high);
  MXL_CHECK(low <= high, MXL_ERR_VALUE, "Operator ", op_name(p),
            ": argument 'low' must be less than or equal to 'high', got low=", low,
            ", high=", high);
}

void check_normal_params(const Params& p) {
  const double loc = p.get_float("loc"), scale = p.get_float("scale");
  MXL_CHECK(std::isfinite(loc), MXL_ERR_VALUE, op_error_prefix(op_name(p), "loc"),
            " must be finite, got ", loc);
  MXL_CHECK(std::isfinite(scale) && scale >= 0, MXL_ERR_VALUE,
            op_error_prefix(op_name(p), "scale"), " must be finite and non-negative, got ",
            scale);
}

// The `dtype` enum, or the default when it is None.
DType dtype_or(const Params& p, DType fallback) {
  if (p.is_none("dtype")) return fallback;
  DType t = fallback;
  dtype_from_name(p.get_enum("dtype"), &t);  // enum values are dtype names
  return t;
}

uint64_t take_key(const OpContext& ctx, const Params& p) {
  MXL_CHECK(ctx.rng != nullptr, MXL_ERR_RUNTIME, "Operator ", op_name(p),
            ": internal: called without a random generator");
  return (*ctx.rng)();
}

// ---------------------------------------------------------------------------
// Samplers
// ---------------------------------------------------------------------------

// Values compared as numbers: float16 through float, the rest natively.
inline float as_number(half_t h) { return static_cast<float>(h); }
template <typename F>
F as_number(F f) { return f; }

// One step toward -infinity through DT's representable values.
inline half_t next_down(half_t h) {
  if (h.bits == 0x0000) return half_t::from_bits(0x8001);  // +0 -> smallest negative
  return half_t::from_bits(static_cast<uint16_t>((h.bits & 0x8000) ? h.bits + 1 : h.bits - 1));
}
template <typename F>
F next_down(F f) { return std::nextafter(f, -std::numeric_limits<F>::infinity()); }

// The largest DT value strictly below `bound` (bound is finite).
template <typename DT>
DT largest_below(double bound) {
  DT x = static_cast<DT>(bound);
  while (static_cast<double>(as_number(x)) >= bound) x = next_down(x);
  return x;
}

template <typename DT>
void sample_uniform(const TBlob& out, uint64_t key, double low, double high) {
  DT* dst = out.ptr<DT>();
  const double span = high - low;
  // Rounding to DT can carry a value up to `high`; such values become the
  // largest one below it, so the range stays half-open as in NumPy.
  DT top = high > low ? largest_below<DT>(high) : static_cast<DT>(high);
  if (as_number(top) < as_number(static_cast<DT>(low))) top = static_cast<DT>(low);
  parallel_for(
      out.numel(),
      [=](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          const DT x = static_cast<DT>(low + span * unit_double(stream_draw(key, i)));
          dst[i] = as_number(x) < as_number(top) ? x : top;
        }
      },
      4);
}

// Marsaglia and Tsang's ziggurat for the standard normal: 256 layers of
// equal area V under exp(-x^2/2); a draw picks a layer and a position in it,
// and about 99% of draws land where no further test is needed.
struct Ziggurat {
  static constexpr int kLayers = 256;
  static constexpr double kR = 3.6541528853610088;  // right edge of the base strip
  static constexpr double kV = 4.92867323399e-3;    // area of every layer
  double x[kLayers + 1];  // right edges; x[0] is the base strip's width V / f(R)
  double f[kLayers + 1];  // exp(-x^2 / 2) at the edges
  double inner[kLayers];  // x[i+1] / x[i]: below it |u| x[i] is under the curve

  Ziggurat() {
    auto density = [](double t) { return std::exp(-0.5 * t * t); };
    x[0] = kV / density(kR);
    x[1] = kR;
    for (int i = 2; i < kLayers; ++i) x[i] = std::sqrt(-2.0 * std::log(kV / x[i - 1] + density(x[i - 1])));
    x[kLayers] = 0.0;
    for (int i = 0; i <= kLayers; ++i) f[i] = density(x[i]);
    for (int i = 0; i < kLayers; ++i) inner[i] = x[i + 1] / x[i];
  }
};

const Ziggurat& ziggurat() {
  static const Ziggurat table;
  return table;
}

// The rare draws: a point in a layer's wedge, or in the base strip's tail.
// Further randomness comes from the stream keyed by the element's first draw.
double standard_normal_slow(const Ziggurat& z, uint64_t first, int layer, double u) {
  uint64_t k = 0;
  for (;;) {
    if (layer == 0) {
      // Beyond kR: Marsaglia's exponential rejection for the normal tail.
      double a, b;
      do {
        a = -std::log(1.0 - unit_double(stream_draw(first, k++))) / Ziggurat::kR;
        b = -std::log(1.0 - unit_double(stream_draw(first, k++)));
      } while (2.0 * b < a * a);
      return u < 0 ? -(Ziggurat::kR + a) : Ziggurat::kR + a;
    }
    const double t = u * z.x[layer];
    const double height = z.f[layer] + unit_double(stream_draw(first, k++)) *
                                           (z.f[layer + 1] - z.f[layer]);
    if (height < std::exp(-0.5 * t * t)) return t;
    const uint64_t d = stream_draw(first, k++);
    layer = static_cast<int>(d & 0xFF);
    u = 2.0 * unit_double(d) - 1.0;
    if (std::fabs(u) < z.inner[layer]) return u * z.x[layer];
  }
}

// One standard normal value from one 64-bit draw (the low 8 bits pick the
// layer, the top 53 the signed position), rarely more.
inline double standard_normal(const Ziggurat& z, uint64_t draw) {
  const int layer = static_cast<int>(draw & 0xFF);
  const double u = 2.0 * unit_double(draw) - 1.0;
  if (std::fabs(u) < z.inner[layer]) return u * z.x[layer];
  return standard_normal_slow(z, draw, layer, u);
}

template <typename DT>
void sample_normal(const TBlob& out, uint64_t key, double loc, double scale) {
  DT* dst = out.ptr<DT>();
  const Ziggurat& z = ziggurat();
  parallel_for(
      out.numel(),
      [=, &z](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i)
          dst[i] = static_cast<DT>(loc + scale * standard_normal(z, stream_draw(key, i)));
      },
      4);
}

template <typename DT>
void sample_randint(const TBlob& out, uint64_t key, int64_t low, int64_t high) {
  using u128 = unsigned __int128;
  DT* dst = out.ptr<DT>();
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  // Products whose low half falls below 2^64 mod range would over-represent
  // some results; they are redrawn (probability < range / 2^64).
  const uint64_t reject_below = (0 - range) % range;
  parallel_for(
      out.numel(),
      [=](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          const uint64_t first = stream_draw(key, i);
          u128 m = static_cast<u128>(first) * range;
          for (uint64_t k = 0; static_cast<uint64_t>(m) < reject_below; ++k)
            m = static_cast<u128>(stream_draw(first, k)) * range;
          const uint64_t offset = static_cast<uint64_t>(m >> 64);
          dst[i] = static_cast<DT>(static_cast<int64_t>(static_cast<uint64_t>(low) + offset));
        }
      },
      2);
}

// ---------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------

void infer_uniform_shape(const Params& p, std::vector<Shape>*, std::vector<Shape>* out) {
  check_cpu_context(p);
  check_uniform_bounds(p);
  (*out)[0] = shape_param(p);
}

void infer_normal_shape(const Params& p, std::vector<Shape>*, std::vector<Shape>* out) {
  check_cpu_context(p);
  check_normal_params(p);
  (*out)[0] = shape_param(p);
}

void infer_randint_shape(const Params& p, std::vector<Shape>*, std::vector<Shape>* out) {
  check_cpu_context(p);
  const int64_t low = p.get_int("low"), high = p.get_int("high");
  MXL_CHECK(low < high, MXL_ERR_VALUE, "Operator ", op_name(p),
            ": argument 'low' must be less than 'high', got low=", low, ", high=", high);
  if (dtype_or(p, DType::kInt32) == DType::kInt32) {
    // high is exclusive, so 2^31 still yields int32 values.
    MXL_CHECK(low >= std::numeric_limits<int32_t>::min() &&
                  high <= int64_t(std::numeric_limits<int32_t>::max()) + 1,
              MXL_ERR_VALUE, "Operator ", op_name(p), ": arguments 'low'=", low, " and 'high'=",
              high, " do not fit dtype int32; pass dtype='int64'");
  }
  (*out)[0] = shape_param(p);
}

void infer_float_type(const Params& p, std::vector<DType>*, std::vector<DType>* out) {
  (*out)[0] = dtype_or(p, DType::kFloat32);
}

void infer_randint_type(const Params& p, std::vector<DType>*, std::vector<DType>* out) {
  (*out)[0] = dtype_or(p, DType::kInt32);
}

void infer_uniform_like_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  check_uniform_bounds(p);
  (*out)[0] = (*in)[0];
}

void infer_normal_like_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  check_normal_params(p);
  (*out)[0] = (*in)[0];
}

void infer_like_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  const DType t = (*in)[0];
  MXL_CHECK(is_float(t), MXL_ERR_TYPE, op_error_prefix(op_name(p), "data"), " has dtype ",
            dtype_name(t), "; expected float16, float32 or float64");
  (*out)[0] = t;
}

void uniform_forward(const OpContext& ctx, const Params& p, const std::vector<TBlob>&,
                     const std::vector<TBlob>& out) {
  const uint64_t key = take_key(ctx, p);
  const double low = p.get_float("low"), high = p.get_float("high");
  MXL_FLOAT_SWITCH(out[0].dtype, DT, op_name(p), { sample_uniform<DT>(out[0], key, low, high); });
}

void normal_forward(const OpContext& ctx, const Params& p, const std::vector<TBlob>&,
                    const std::vector<TBlob>& out) {
  const uint64_t key = take_key(ctx, p);
  const double loc = p.get_float("loc"), scale = p.get_float("scale");
  MXL_FLOAT_SWITCH(out[0].dtype, DT, op_name(p), { sample_normal<DT>(out[0], key, loc, scale); });
}

void randint_forward(const OpContext& ctx, const Params& p, const std::vector<TBlob>&,
                     const std::vector<TBlob>& out) {
  const uint64_t key = take_key(ctx, p);
  const int64_t low = p.get_int("low"), high = p.get_int("high");
  if (out[0].dtype == DType::kInt64) sample_randint<int64_t>(out[0], key, low, high);
  else sample_randint<int32_t>(out[0], key, low, high);
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

OpDef& add_random_op(const char* name, const char* doc) {
  return Registry::get().add(name).describe(doc).set_needs_rng();
}

constexpr const char* kShapeDoc = "Shape of the output.";
constexpr const char* kFloatDTypeDoc =
    "DType of the output in case this can't be inferred. Defaults to float32 if not defined "
    "(dtype=None).";

void register_random_ops() {
  add_ctx_param(add_random_op("_random_uniform",
                              "Draws samples from a uniform distribution on [low, high).")
                    .add_alias("random_uniform")
                    .add_alias("uniform")
                    .add_param("low", "float", "0", "Lower bound of the distribution.")
                    .add_param("high", "float", "1", "Upper bound of the distribution.")
                    .add_param("shape", "shape", "()", kShapeDoc))
      .add_param("dtype", "optional<enum{float16,float32,float64}>", "None", kFloatDTypeDoc)
      .set_infer_shape(infer_uniform_shape)
      .set_infer_type(infer_float_type)
      .set_forward(uniform_forward);

  add_ctx_param(add_random_op("_random_normal",
                              "Draws random samples from a normal (Gaussian) distribution with "
                              "mean `loc` and standard deviation `scale`.")
                    .add_alias("random_normal")
                    .add_alias("normal")
                    .add_param("loc", "float", "0", "Mean of the distribution.")
                    .add_param("scale", "float", "1", "Standard deviation of the distribution.")
                    .add_param("shape", "shape", "()", kShapeDoc))
      .add_param("dtype", "optional<enum{float16,float32,float64}>", "None", kFloatDTypeDoc)
      .set_infer_shape(infer_normal_shape)
      .set_infer_type(infer_float_type)
      .set_forward(normal_forward);

  add_ctx_param(add_random_op("_random_randint",
                              "Draws integers uniformly from the half-open interval [low, high).")
                    .add_alias("random_randint")
                    .add_param("low", "int", "", "Lower bound of the distribution.")
                    .add_param("high", "int", "", "Upper bound of the distribution.")
                    .add_param("shape", "shape", "()", kShapeDoc))
      .add_param("dtype", "optional<enum{int32,int64}>", "None",
                 "DType of the output in case this can't be inferred. Defaults to int32 if not "
                 "defined (dtype=None).")
      .set_infer_shape(infer_randint_shape)
      .set_infer_type(infer_randint_type)
      .set_forward(randint_forward);

  // The _like samplers do not depend on the input's values: zero gradient (MXNet).
  add_random_op("_random_uniform_like",
                "Draws samples from a uniform distribution on [low, high), with the shape and "
                "dtype of the input.")
      .add_alias("random_uniform_like")
      .add_input("data", "The input whose shape and dtype the output takes.")
      .add_param("low", "float", "0", "Lower bound of the distribution.")
      .add_param("high", "float", "1", "Upper bound of the distribution.")
      .set_infer_shape(infer_uniform_like_shape)
      .set_infer_type(infer_like_type)
      .set_forward(uniform_forward)
      .set_gradient(zero_gradient);

  add_random_op("_random_normal_like",
                "Draws random samples from a normal (Gaussian) distribution with mean `loc` "
                "and standard deviation `scale`, with the shape and dtype of the input.")
      .add_alias("random_normal_like")
      .add_input("data", "The input whose shape and dtype the output takes.")
      .add_param("loc", "float", "0", "Mean of the distribution.")
      .add_param("scale", "float", "1", "Standard deviation of the distribution.")
      .set_infer_shape(infer_normal_like_shape)
      .set_infer_type(infer_like_type)
      .set_forward(normal_forward)
      .set_gradient(zero_gradient);
}

MXL_REGISTER_BLOCK(register_random_ops);

}  // namespace
}  // namespace mxl
