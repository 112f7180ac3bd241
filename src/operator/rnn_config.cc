#include "operator/rnn_config.h"

#include "common/error.h"
#include "operator/registry.h"

namespace mxl {
namespace rnn {

int64_t Config::param_size() const {
  int64_t n = 0;
  for (int64_t l = 0; l < L; ++l) n += D * (weight_size(l) + 2 * gh());
  return n;
}

int64_t Config::w_i2h_offset(int64_t l, int64_t d) const {
  int64_t off = 0;
  for (int64_t k = 0; k < l; ++k) off += D * weight_size(k);
  return off + d * weight_size(l);
}

int64_t Config::b_i2h_offset(int64_t l, int64_t d) const {
  int64_t weights = 0;
  for (int64_t k = 0; k < L; ++k) weights += D * weight_size(k);
  return weights + (l * D + d) * 2 * gh();
}

int64_t Config::y_offset(int64_t l) const {
  const int64_t per_layer = layer_out_size() * (p > 0 ? 2 : 1);
  return L * D * per_direction_reserve() + l * per_layer;
}

int64_t Config::mask_offset(int64_t l) const { return y_offset(l) + layer_out_size(); }

int64_t Config::reserve_size() const {
  const int64_t n = y_offset(L - 1);  // everything up to the (absent) last-layer output
  return n > 0 ? n : 1;               // never a zero-size array
}

Config parse_attrs(const Params& p, const std::string& op) {
  Config c;
  const std::string& mode = p.get_enum("mode");
  if (mode == "rnn_relu") c.mode = Mode::kRnnRelu, c.G = 1;
  else if (mode == "rnn_tanh") c.mode = Mode::kRnnTanh, c.G = 1;
  else if (mode == "lstm") c.mode = Mode::kLstm, c.G = 4;
  else c.mode = Mode::kGru, c.G = 3;

  c.H = p.get_int("state_size");
  c.L = p.get_int("num_layers");
  MXL_CHECK(c.H >= 1, MXL_ERR_VALUE, op_error_prefix(op, "state_size"), " is ", c.H,
            "; expected a positive number of hidden units");
  MXL_CHECK(c.L >= 1, MXL_ERR_VALUE, op_error_prefix(op, "num_layers"), " is ", c.L,
            "; expected at least one layer");
  c.D = p.get_bool("bidirectional") ? 2 : 1;
  c.p = p.get_float("p");
  MXL_CHECK(c.p >= 0 && c.p < 1, MXL_ERR_VALUE, op_error_prefix(op, "p"), " is ", c.p,
            "; expected a dropout rate in [0, 1)");
  c.state_outputs = p.get_bool("state_outputs");
  c.use_seq_len = p.get_bool("use_sequence_length");

  // MXNet only implements projection through cuDNN (LSTMP); its CPU path
  // rejects it as well.
  MXL_CHECK(p.is_none("projection_size"), MXL_ERR_NOT_IMPLEMENTED,
            op_error_prefix(op, "projection_size"),
            " is set; LSTM projection (LSTMP) is not implemented in mxlite. Leave it None");

  const bool has_lo = !p.is_none("lstm_state_clip_min");
  const bool has_hi = !p.is_none("lstm_state_clip_max");
  if (has_lo || has_hi) {
    MXL_CHECK(c.lstm(), MXL_ERR_VALUE, "Operator ", op,
              ": arguments 'lstm_state_clip_min'/'lstm_state_clip_max' apply to mode='lstm' only, "
              "but mode='", mode, "'");
    MXL_CHECK(has_lo && has_hi, MXL_ERR_VALUE, "Operator ", op,
              ": arguments 'lstm_state_clip_min' and 'lstm_state_clip_max' must be given together");
    c.clip = true;
    c.clip_lo = p.get_float("lstm_state_clip_min");
    c.clip_hi = p.get_float("lstm_state_clip_max");
    MXL_CHECK(c.clip_hi >= c.clip_lo, MXL_ERR_VALUE, op_error_prefix(op, "lstm_state_clip_max"),
              " (", c.clip_hi, ") is below 'lstm_state_clip_min' (", c.clip_lo,
              "); expected max >= min");
    c.clip_nan = p.get_bool("lstm_state_clip_nan");
  }
  return c;
}

Config make_config(const Params& p, const std::string& op, const Shape& data) {
  Config c = parse_attrs(p, op);
  MXL_CHECK(data.ndim() == 3, MXL_ERR_VALUE, op_error_prefix(op, "data"), " has shape ",
            data.str(), "; expected a 3-d array (sequence length, batch size, input size), "
            "layout TNC");
  c.T = data[0];
  c.N = data[1];
  c.I = data[2];
  MXL_CHECK(c.I >= 1, MXL_ERR_VALUE, op_error_prefix(op, "data"), " has shape ", data.str(),
            "; expected an input size (last axis) of at least 1");
  return c;
}

}  // namespace rnn
}  // namespace mxl
