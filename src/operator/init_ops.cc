// Array-creation operators: _zeros, _ones, _full, _arange, _eye, _linspace
// (what mx.nd.zeros, mx.nd.arange, ... call).
//
// They take no inputs: shape and dtype come from parameters, so shape
// inference validates every parameter (errors surface at the call) and the
// kernels cannot fail.  Values are computed in double and converted to the
// output dtype the way a C cast does in MXNet: floats round, integers
// truncate toward zero (wrapping modulo the type width, as NumPy 1.x and
// MXNet on x86 do), bool is value != 0.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "common/parallel.h"
#include "operator/creation_params.h"
#include "operator/registry.h"

namespace mxl {
namespace {

// ---------------------------------------------------------------------------
// Parameter checks shared by every creation op
// ---------------------------------------------------------------------------

const std::string& op_name(const Params& p) { return p.op()->name; }

void infer_dtype_param(const Params& p, std::vector<DType>*, std::vector<DType>* out) {
  (*out)[0] = p.get_dtype("dtype");
}

// ---------------------------------------------------------------------------
// Conversions and fills
// ---------------------------------------------------------------------------

// double -> T as MXNet's static_cast behaves on x86, without C++ undefined
// behaviour: NaN becomes 0, values beyond int64 saturate, the rest truncate
// toward zero and narrow types keep the low bits.
template <typename T>
T convert(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0.0;
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else if constexpr (std::is_same_v<T, half_t>) {
    return half_t(static_cast<float>(v));
  } else {
    int64_t i;
    if (std::isnan(v)) i = 0;
    else if (v <= -0x1.0p63) i = std::numeric_limits<int64_t>::min();
    else if (v >= 0x1.0p63) i = std::numeric_limits<int64_t>::max();
    else i = static_cast<int64_t>(v);
    return static_cast<T>(i);
  }
}

template <typename DT>
void fill(const TBlob& out, DT value) {
  DT* dst = out.ptr<DT>();
  parallel_for(out.numel(), [dst, value](int64_t b, int64_t e) { std::fill(dst + b, dst + e, value); });
}

// All-zero bytes are zero in every dtype, including float16 and bool.
void fill_zero_bytes(const TBlob& out) {
  char* dst = static_cast<char*>(out.dptr);
  const int64_t elem = dtype_size(out.dtype);
  parallel_for(out.numel(), [dst, elem](int64_t b, int64_t e) {
    std::memset(dst + b * elem, 0, static_cast<size_t>((e - b) * elem));
  });
}

void fill_value(const TBlob& out, double value) {
  if (value == 0.0 && !std::signbit(value)) {
    fill_zero_bytes(out);
    return;
  }
  MXL_TYPE_SWITCH(out.dtype, DT, { fill<DT>(out, convert<DT>(value)); });
}

// ---------------------------------------------------------------------------
// _zeros, _ones, _full
// ---------------------------------------------------------------------------

void infer_filled_shape(const Params& p, std::vector<Shape>*, std::vector<Shape>* out) {
  check_cpu_context(p);
  (*out)[0] = shape_param(p);
}

void zeros_forward(const OpContext&, const Params&, const std::vector<TBlob>&,
                   const std::vector<TBlob>& out) {
  fill_zero_bytes(out[0]);
}

void ones_forward(const OpContext&, const Params&, const std::vector<TBlob>&,
                  const std::vector<TBlob>& out) {
  fill_value(out[0], 1.0);
}

void full_forward(const OpContext&, const Params& p, const std::vector<TBlob>&,
                  const std::vector<TBlob>& out) {
  fill_value(out[0], p.get_float("value"));
}

// ---------------------------------------------------------------------------
// _arange
// ---------------------------------------------------------------------------

struct ArangeSpec {
  double start, step;
  int64_t count;  // distinct values; each is repeated `repeat` times
  int64_t repeat;
};

// np.arange's element count, ceil((stop - start) / step), clamped at 0.
int64_t arange_count(const Params& p, double start, double stop, double step) {
  const double n = std::ceil((stop - start) / step);
  if (!(n > 0)) return 0;
  MXL_CHECK(n < 0x1.0p62, MXL_ERR_VALUE, op_error_prefix(op_name(p), "stop"),
            ": the range [", start, ", ", stop, ") with step ", step, " has too many elements");
  return static_cast<int64_t>(n);
}

ArangeSpec arange_spec(const Params& p, const Shape* known_out) {
  ArangeSpec s;
  s.start = p.get_float("start");
  s.step = p.get_float("step");
  s.repeat = p.get_int("repeat");
  MXL_CHECK(s.step != 0.0, MXL_ERR_VALUE, op_error_prefix(op_name(p), "step"),
            " must be non-zero");
  MXL_CHECK(s.repeat > 0, MXL_ERR_VALUE, op_error_prefix(op_name(p), "repeat"),
            " must be positive, got ", s.repeat);
  MXL_CHECK(std::isfinite(s.start) && std::isfinite(s.step), MXL_ERR_VALUE, "Operator ",
            op_name(p), ": arguments 'start' and 'step' must be finite, got start=", s.start,
            ", step=", s.step);
  if (p.is_none("stop")) {
    if (p.get_bool("infer_range")) {
      // The range ends where the (symbolically known) output says.
      MXL_CHECK(known_out && known_out->known() && known_out->ndim() == 1, MXL_ERR_VALUE,
                op_error_prefix(op_name(p), "infer_range"),
                " is True but the output shape is not known; pass 'stop'");
      MXL_CHECK((*known_out)[0] % s.repeat == 0, MXL_ERR_VALUE,
                op_error_prefix(op_name(p), "repeat"), " is ", s.repeat,
                " but does not divide the known output length ", (*known_out)[0]);
      s.count = (*known_out)[0] / s.repeat;
      return s;
    }
    // arange(n) is [0, n).
    s.count = arange_count(p, 0.0, s.start, s.step);
    s.start = 0.0;
  } else {
    const double stop = p.get_float("stop");
    MXL_CHECK(std::isfinite(stop), MXL_ERR_VALUE, op_error_prefix(op_name(p), "stop"),
              " must be finite, got ", stop);
    s.count = arange_count(p, s.start, stop, s.step);
  }
  MXL_CHECK(s.count <= std::numeric_limits<int64_t>::max() / s.repeat, MXL_ERR_VALUE,
            op_error_prefix(op_name(p), "repeat"), " makes the output too large");
  return s;
}

void infer_arange_shape(const Params& p, std::vector<Shape>*, std::vector<Shape>* out) {
  check_cpu_context(p);
  const ArangeSpec s = arange_spec(p, &(*out)[0]);
  (*out)[0] = Shape{s.count * s.repeat};
}

template <typename DT>
void arange_kernel(DT* dst, const ArangeSpec& s) {
  if (s.repeat == 1) {
    parallel_for(s.count, [dst, s](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) dst[i] = convert<DT>(s.start + static_cast<double>(i) * s.step);
    });
    return;
  }
  parallel_for(
      s.count,
      [dst, s](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          const DT v = convert<DT>(s.start + static_cast<double>(i) * s.step);
          std::fill(dst + i * s.repeat, dst + (i + 1) * s.repeat, v);
        }
      },
      s.repeat);
}

void arange_forward(const OpContext&, const Params& p, const std::vector<TBlob>&,
                    const std::vector<TBlob>& out) {
  const Shape shape = out[0].shape;
  ArangeSpec s = arange_spec(p, &shape);
  MXL_TYPE_SWITCH(out[0].dtype, DT, { arange_kernel<DT>(out[0].ptr<DT>(), s); });
}

// ---------------------------------------------------------------------------
// _eye
// ---------------------------------------------------------------------------

void infer_eye_shape(const Params& p, std::vector<Shape>*, std::vector<Shape>* out) {
  check_cpu_context(p);
  const int64_t n = p.get_int("N");
  int64_t m = p.get_int("M");
  MXL_CHECK(n >= 0, MXL_ERR_VALUE, op_error_prefix(op_name(p), "N"),
            " must be non-negative, got ", n);
  MXL_CHECK(m >= 0, MXL_ERR_VALUE, op_error_prefix(op_name(p), "M"),
            " must be non-negative, got ", m);
  if (m == 0) m = n;
  MXL_CHECK(m == 0 || n <= std::numeric_limits<int64_t>::max() / m, MXL_ERR_VALUE,
            "Operator ", op_name(p), ": arguments 'N' and 'M' make too many elements");
  (*out)[0] = Shape{n, m};
}

void eye_forward(const OpContext&, const Params& p, const std::vector<TBlob>&,
                 const std::vector<TBlob>& out) {
  fill_zero_bytes(out[0]);
  const int64_t rows = out[0].shape[0], cols = out[0].shape[1], k = p.get_int("k");
  if (k >= cols || k <= -rows) return;  // the diagonal lies outside the matrix
  // Row i holds its one at column i + k; only rows where that column exists.
  const int64_t first = std::max<int64_t>(0, -k);
  const int64_t last = std::min<int64_t>(rows, cols - k);  // exclusive
  MXL_TYPE_SWITCH(out[0].dtype, DT, {
    DT* dst = out[0].ptr<DT>();
    const DT one = convert<DT>(1.0);
    for (int64_t i = first; i < last; ++i) dst[i * cols + i + k] = one;
  });
}

// ---------------------------------------------------------------------------
// _linspace
// ---------------------------------------------------------------------------

void infer_linspace_shape(const Params& p, std::vector<Shape>*, std::vector<Shape>* out) {
  check_cpu_context(p);
  const int64_t num = p.get_int("num");
  MXL_CHECK(num >= 0, MXL_ERR_VALUE, op_error_prefix(op_name(p), "num"),
            " must be non-negative, got ", num);
  (*out)[0] = Shape{num};
}

void linspace_forward(const OpContext&, const Params& p, const std::vector<TBlob>&,
                      const std::vector<TBlob>& out) {
  const double start = p.get_float("start"), stop = p.get_float("stop");
  const bool endpoint = p.get_bool("endpoint");
  const int64_t num = out[0].shape[0];
  const int64_t divisions = endpoint ? num - 1 : num;
  // With one sample and the endpoint included NumPy returns [start].
  const double step = divisions > 0 ? (stop - start) / static_cast<double>(divisions) : 0.0;
  MXL_TYPE_SWITCH(out[0].dtype, DT, {
    DT* dst = out[0].ptr<DT>();
    parallel_for(num, [dst, start, step](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) dst[i] = convert<DT>(static_cast<double>(i) * step + start);
    });
    // Exactly `stop`, not start + (num-1) * step rounded.
    if (endpoint && num > 1) dst[num - 1] = convert<DT>(stop);
  });
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

OpDef& add_creation_op(const char* name, const char* doc) {
  return Registry::get().add(name).describe(doc);
}

constexpr const char* kDTypeDoc = "Target data type.";

void register_init_ops() {
  add_ctx_param(add_creation_op("_zeros", "Returns a new array of the given shape and dtype, "
                                          "filled with zeros.")
                    .add_param("shape", "shape", "()", "The shape of the output"))
      .add_param("dtype", "dtype", "float32", kDTypeDoc)
      .set_infer_shape(infer_filled_shape)
      .set_infer_type(infer_dtype_param)
      .set_forward(zeros_forward);

  add_ctx_param(add_creation_op("_ones", "Returns a new array of the given shape and dtype, "
                                         "filled with ones.")
                    .add_param("shape", "shape", "()", "The shape of the output"))
      .add_param("dtype", "dtype", "float32", kDTypeDoc)
      .set_infer_shape(infer_filled_shape)
      .set_infer_type(infer_dtype_param)
      .set_forward(ones_forward);

  add_ctx_param(add_creation_op("_full", "Returns a new array of the given shape and dtype, "
                                         "filled with `value` (converted to the dtype as a C "
                                         "cast would: integers truncate toward zero).")
                    .add_param("shape", "shape", "()", "The shape of the output"))
      .add_param("dtype", "dtype", "float32", kDTypeDoc)
      .add_param("value", "float", "", "Value with which to fill newly created tensor")
      .set_infer_shape(infer_filled_shape)
      .set_infer_type(infer_dtype_param)
      .set_forward(full_forward);

  add_ctx_param(
      add_creation_op("_arange",
                      "Returns evenly spaced values within [start, stop) with spacing `step`, "
                      "each repeated `repeat` times, like np.repeat(np.arange(start, stop, step), "
                      "repeat). With stop=None the range is [0, start).")
          .add_param("start", "float", "", "Start of interval. The interval includes this "
                     "value. The default start value is 0.")
          .add_param("stop", "optional<float>", "None", "End of interval. The interval does not "
                     "include this value, except in some cases where step is not an integer "
                     "and floating point round-off affects the length of out.")
          .add_param("step", "float", "1", "Spacing between values.")
          .add_param("repeat", "int", "1", "The repeating time of all elements. E.g repeat=3, "
                     "the element a will be repeated three times --> a, a, a.")
          .add_param("infer_range", "bool", "False", "When set to True, infer the stop position "
                     "from the start, step, repeat, and output tensor size."))
      .add_param("dtype", "dtype", "float32", kDTypeDoc)
      .set_infer_shape(infer_arange_shape)
      .set_infer_type(infer_dtype_param)
      .set_forward(arange_forward);

  add_ctx_param(
      add_creation_op("_eye", "Returns a 2-D array of shape (N, M) with ones on the k-th "
                      "diagonal and zeros elsewhere.")
          .add_param("N", "int", "", "Number of rows in the output.")
          .add_param("M", "int", "0", "Number of columns in the output. If 0, defaults to N")
          .add_param("k", "int", "0", "Index of the diagonal. 0 (the default) refers to the "
                     "main diagonal. A positive value refers to an upper diagonal. A negative "
                     "value to a lower diagonal."))
      .add_param("dtype", "dtype", "float32", kDTypeDoc)
      .set_infer_shape(infer_eye_shape)
      .set_infer_type(infer_dtype_param)
      .set_forward(eye_forward);

  add_ctx_param(
      add_creation_op("_linspace", "Returns `num` evenly spaced samples over [start, stop], or "
                      "[start, stop) when endpoint is False, like np.linspace.")
          .add_param("start", "float", "", "Start of interval.")
          .add_param("stop", "float", "", "End of interval.")
          .add_param("num", "int", "", "Number of samples to generate. Must be non-negative.")
          .add_param("endpoint", "bool", "True", "If True, stop is the last sample. Otherwise, "
                     "it is not included."))
      .add_param("dtype", "dtype", "float32", kDTypeDoc)
      .set_infer_shape(infer_linspace_shape)
      .set_infer_type(infer_dtype_param)
      .set_forward(linspace_forward);
}

MXL_REGISTER_BLOCK(register_init_ops);

}  // namespace
}  // namespace mxl
