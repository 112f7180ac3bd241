// SequenceMask, SequenceLast and SequenceReverse (MXNet 1.9).
//
// data is laid out (time, batch, ...) for axis=0 or (batch, time, ...) for
// axis=1 (SequenceReverse supports axis 0 only, as MXNet).  With
// use_sequence_length a second input gives each batch element's length
// (shape (batch,), any numeric dtype, truncated toward zero); without it every
// sequence is the full time extent.
//
//   SequenceMask     steps at or beyond the length become `value`
//   SequenceLast     the step at length - 1; the output drops the time axis
//   SequenceReverse  the first `length` steps reversed, the rest unchanged
//
// Gradients: SequenceMask's is SequenceMask of the head gradient with
// value 0, SequenceReverse's is SequenceReverse of it (both differentiable
// again); SequenceLast's is the hidden kernel _backward_SequenceLast, which
// scatters the head gradient into zeros.  Lengths get no gradient.  Lengths
// outside [1, time] are an error for SequenceLast and SequenceReverse (MXNet
// reads out of bounds there); SequenceMask accepts any length.
#include <cmath>
#include <cstring>
#include <string>

#include "operator/nn_util.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

bool use_len(const Params& p) { return p.get_bool("use_sequence_length"); }

// Element (t, b, j) of the data sits at offset(t, b) * rest + j.
struct SeqLayout {
  int64_t time = 0, batch = 0, rest = 1;
  bool time_first = true;
  int64_t offset(int64_t t, int64_t b) const {
    return (time_first ? t * batch + b : b * time + t) * rest;
  }
};

SeqLayout seq_layout(const Params& p, const Shape& s) {
  const std::string& op = p.op()->name;
  const int64_t axis = p.get_int("axis");
  const bool reverse = op.find("SequenceReverse") != std::string::npos;
  MXL_CHECK(axis == 0 || (axis == 1 && !reverse), MXL_ERR_VALUE, op_error_prefix(op, "axis"),
            " is ", axis, "; expected ", reverse ? "0" : "0 or 1");
  MXL_CHECK(s.ndim() >= 2, MXL_ERR_VALUE, op_error_prefix(op, "data"), " has shape ", s.str(),
            "; expected at least 2 dimensions (time and batch)");
  SeqLayout l;
  l.time_first = axis == 0;
  l.time = s[axis];
  l.batch = s[1 - axis];
  l.rest = s.prod(2, s.ndim());
  return l;
}

void check_lengths_shape(const Params& p, const Shape& data, std::vector<Shape>* in, size_t li) {
  if (!use_len(p)) return;
  const Shape expected{data[1 - p.get_int("axis")]};
  Shape& s = (*in)[li];
  if (!s.known()) s = expected;
  MXL_CHECK(s == expected, MXL_ERR_VALUE, op_error_prefix(p.op()->name, "sequence_length"),
            " has shape ", s.str(), "; expected ", expected.str(), " (one length per batch element)");
}

void infer_seq_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  if (in->size() > 1 && use_len(p))
    MXL_CHECK(in->back() != DType::kBool, MXL_ERR_TYPE,
              op_error_prefix(p.op()->name, "sequence_length"), " has dtype bool; expected numbers");
  for (auto& o : *out) o = (*in)[0];
}

// Per-batch lengths as integers (time when use_sequence_length is off).
std::vector<int64_t> lengths_of(const Params& p, const SeqLayout& l, const std::vector<TBlob>& in,
                                size_t li, bool require_valid) {
  std::vector<int64_t> len(l.batch, l.time);
  if (!use_len(p)) return len;
  MXL_TYPE_SWITCH(in[li].dtype, L, {
    if constexpr (!std::is_same_v<L, bool>) {
      const L* src = in[li].ptr<L>();
      for (int64_t b = 0; b < l.batch; ++b) {
        const double v = static_cast<double>(src[b]);
        const double t = std::isnan(v) ? -1.0 : std::trunc(v);
        if (require_valid)
          MXL_CHECK(t >= 1 && t <= static_cast<double>(l.time), MXL_ERR_INDEX,
                    op_error_prefix(p.op()->name, "sequence_length"), " contains ", v,
                    " for batch element ", b, "; expected lengths in [1, ", l.time, "]");
        len[b] = t <= 0 ? 0 : (t >= static_cast<double>(l.time) ? l.time : static_cast<int64_t>(t));
      }
    }
  })
  return len;
}

// ---------------------------------------------------------------------------
// SequenceMask
// ---------------------------------------------------------------------------

void infer_mask_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[0];
  if (!data.known()) return;
  seq_layout(p, data);
  check_lengths_shape(p, data, in, 1);
  (*out)[0] = data;
}

void mask_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  const SeqLayout l = seq_layout(p, in[0].shape);
  const std::vector<int64_t> len = lengths_of(p, l, in, 1, false);
  const double value = p.get_float("value");
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    const T* x = in[0].ptr<T>();
    T* y = out[0].ptr<T>();
    const T v = shape_ops::cast_scalar<T>(value);
    parallel_for(l.time * l.batch, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        const int64_t t = i / l.batch, b = i % l.batch, o = l.offset(t, b);
        if (t < len[b]) {
          if (x != y) std::copy(x + o, x + o + l.rest, y + o);
        } else {
          std::fill(y + o, y + o + l.rest, v);
        }
      }
    }, l.rest);
  })
}

// ---------------------------------------------------------------------------
// SequenceLast
// ---------------------------------------------------------------------------

Shape last_shape(const Params& p, const Shape& data) {
  Shape s = data;
  s.erase(static_cast<int>(p.get_int("axis")));
  return s;
}

void infer_last_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[0];
  if (!data.known()) return;
  seq_layout(p, data);
  check_lengths_shape(p, data, in, 1);
  (*out)[0] = last_shape(p, data);
}

void last_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  const SeqLayout l = seq_layout(p, in[0].shape);
  const std::vector<int64_t> len = lengths_of(p, l, in, 1, true);
  MXL_CHECK(l.time > 0 || l.batch == 0, MXL_ERR_VALUE,
            op_error_prefix("SequenceLast", "data"), " has no time steps");
  const int esize = dtype_size(in[0].dtype);
  const char* x = static_cast<const char*>(in[0].dptr);
  char* y = static_cast<char*>(out[0].dptr);
  for (int64_t b = 0; b < l.batch; ++b)
    std::memcpy(y + b * l.rest * esize, x + l.offset(len[b] - 1, b) * esize, l.rest * esize);
}

// _backward_SequenceLast(ograd, data[, sequence_length]) -> data gradient
void last_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  const SeqLayout l = seq_layout(p, in[1].shape);
  const std::vector<int64_t> len = lengths_of(p, l, in, 2, true);
  const int esize = dtype_size(in[0].dtype);
  const char* g = static_cast<const char*>(in[0].dptr);
  char* dx = static_cast<char*>(out[0].dptr);
  std::memset(dx, 0, out[0].nbytes());
  for (int64_t b = 0; b < l.batch; ++b)
    std::memcpy(dx + l.offset(len[b] - 1, b) * esize, g + b * l.rest * esize, l.rest * esize);
}

// ---------------------------------------------------------------------------
// SequenceReverse
// ---------------------------------------------------------------------------

void reverse_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const SeqLayout l = seq_layout(p, in[0].shape);
  const std::vector<int64_t> len = lengths_of(p, l, in, 1, true);
  const int esize = dtype_size(in[0].dtype);
  const char* x = static_cast<const char*>(in[0].dptr);
  char* y = static_cast<char*>(out[0].dptr);
  parallel_for(l.time * l.batch, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t t = i / l.batch, b = i % l.batch;
      const int64_t src_t = t < len[b] ? len[b] - 1 - t : t;
      std::memcpy(y + l.offset(t, b) * esize, x + l.offset(src_t, b) * esize, l.rest * esize);
    }
  }, l.rest);
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

// The forward's attributes with `value` replaced (gradients mask with 0).
Attrs with_value_zero(const Params& p) {
  Attrs a;
  for (const auto& kv : p.attrs())
    if (kv.first != "value") a.push_back(kv);
  a.emplace_back("value", "0");
  return a;
}

std::vector<GradValue> inputs_with_lengths(const GradNode& n, GradValue first) {
  std::vector<GradValue> ins = {first};
  if (n.inputs.size() > 1) ins.push_back(n.inputs[1]);
  return ins;
}

OpDef& add_seq_common(OpDef& op, const char* doc) {
  op.describe(doc)
      .add_input("data", "n-dimensional input array of the form [max_sequence_length, "
                         "batch_size, other_feature_dims] where n>2")
      .add_input("sequence_length", "vector of sequence lengths of the form [batch_size]")
      .add_param("use_sequence_length", "bool", "False",
                 "If set to true, this layer takes in an extra input parameter "
                 "`sequence_length` to specify variable length sequence")
      .set_infer_type(infer_seq_type);
  op.num_inputs_fn = [](const Params& p) { return use_len(p) ? 2 : 1; };
  return op;
}

void register_sequence_ops() {
  add_seq_common(Registry::get().add("SequenceMask"),
                 "Sets all elements outside the sequence to a constant value: steps at or "
                 "beyond each batch element's length become `value`.")
      .add_param("value", "float", "0", "The value to be used as a mask.")
      .add_param("axis", "int", "0", "The sequence axis. Only values of 0 and 1 are currently supported.")
      .set_infer_shape(infer_mask_shape)
      .add_inplace(0, 0)
      .set_forward(mask_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
        std::vector<GradValue> r(n.inputs.size());
        r[0] = b.op("SequenceMask", inputs_with_lengths(n, n.out_grads[0]), with_value_zero(*n.params));
        return r;
      });

  add_seq_common(Registry::get().add("SequenceLast"),
                 "Takes the last element of each sequence along the time axis (at length - 1 "
                 "with use_sequence_length); the output drops that axis.")
      .add_param("axis", "int", "0", "The sequence axis. Only values of 0 and 1 are currently supported.")
      .set_infer_shape(infer_last_shape)
      .set_forward(last_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
        std::vector<GradValue> ins = {n.out_grads[0], n.inputs[0]};
        if (n.inputs.size() > 1) ins.push_back(n.inputs[1]);
        std::vector<GradValue> r(n.inputs.size());
        r[0] = b.op("_backward_SequenceLast", ins, n.params->attrs());
        return r;
      });

  OpDef& lb = Registry::get().add("_backward_SequenceLast");
  lb.describe("Gradient of SequenceLast: ograd scattered into zeros shaped like data.")
      .add_input("ograd", "Gradient of the output.")
      .add_input("data", "The forward's data (for its shape).")
      .add_input("sequence_length", "The forward's lengths.")
      .copy_params_from("SequenceLast")
      .set_infer_shape([](const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
        const Shape& data = (*in)[1];
        seq_layout(p, data);
        MXL_CHECK((*in)[0] == last_shape(p, data), MXL_ERR_VALUE,
                  op_error_prefix("_backward_SequenceLast", "ograd"), " has shape ",
                  (*in)[0].str(), "; expected ", last_shape(p, data).str());
        (*out)[0] = data;
      })
      .set_infer_type([](const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
        MXL_CHECK((*in)[0] == (*in)[1], MXL_ERR_TYPE,
                  "Operator _backward_SequenceLast: 'ograd' and 'data' must share one dtype");
        (*out)[0] = (*in)[0];
      })
      .set_forward(last_backward);
  lb.num_inputs_fn = [](const Params& p) { return use_len(p) ? 3 : 2; };

  add_seq_common(Registry::get().add("SequenceReverse"),
                 "Reverses the elements of each sequence along the time axis: the first "
                 "`length` steps of each batch element are reversed, the rest stay.")
      .add_param("axis", "int", "0", "The sequence axis. Only 0 is currently supported.")
      .set_infer_shape(infer_mask_shape)
      .set_forward(reverse_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
        std::vector<GradValue> r(n.inputs.size());
        r[0] = b.op("SequenceReverse", inputs_with_lengths(n, n.out_grads[0]), n.params->attrs());
        return r;
      });
}

MXL_REGISTER_BLOCK(register_sequence_ops);

}  // namespace
}  // namespace mxl
