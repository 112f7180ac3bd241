// The fused RNN operator's configuration and memory layouts (MXNet 1.9's
// `RNN`): what the attributes and the data shape mean, where each weight
// lives in the flat `parameters` vector, and how the hidden `reserve` output
// that carries forward intermediates to `_backward_RNN` is laid out.
//
// Parameter vector (MXNet's layout, shared with cuDNN): all weight matrices
// first, layer by layer and, inside a layer, direction by direction,
// W_i2h (G*H x in) then W_h2h (G*H x H); then all biases in the same order,
// b_i2h (G*H) then b_h2h (G*H).  G is 1 for rnn_relu/rnn_tanh, 4 for lstm
// (gate rows i, f, g, o) and 3 for gru (rows r, z, n).  `in` is the input
// size for layer 0 and D*H above it (the previous layer's concatenated
// directions).
//
// Reserve (one flat array of the data dtype), per layer l and direction d:
//   lstm: gates (T, N, 4H) after activation [i f g o], then the cell state
//         before clipping (T, N, H);
//   gru:  (T, N, 4H) holding [r z n hn], hn = W_hn h_{t-1} + b_hn (needed for
//         dr);
//   rnn:  nothing (the activation's derivative comes from the output).
// then, for every layer but the last, the layer's output (T, N, D*H) and, when
// p > 0, its dropout mask (T, N, D*H; 0 or 1/(1-p)).  The last layer's output
// is the visible `out`.
#pragma once
#include <cstdint>
#include <string>

#include "common/shape.h"
#include "operator/params.h"

namespace mxl {
namespace rnn {

enum class Mode { kRnnRelu, kRnnTanh, kLstm, kGru };

struct Config {
  Mode mode = Mode::kLstm;
  int64_t L = 1;  // layers
  int64_t D = 1;  // directions
  int64_t T = 0, N = 0, I = 0;  // sequence length, batch, input size
  int64_t H = 0;  // state size
  int64_t G = 1;  // gates per cell
  double p = 0;   // dropout between layers (training only)
  bool state_outputs = false;
  bool use_seq_len = false;
  bool clip = false;        // lstm cell-state clipping
  double clip_lo = 0, clip_hi = 0;
  bool clip_nan = false;    // NaN cell states become clip_lo instead of propagating

  bool lstm() const { return mode == Mode::kLstm; }
  bool gru() const { return mode == Mode::kGru; }
  int64_t layer_input(int64_t l) const { return l == 0 ? I : D * H; }
  int64_t gh() const { return G * H; }

  // Inputs: data, parameters, state, [state_cell], [sequence_length].
  int num_inputs() const { return 3 + (lstm() ? 1 : 0) + (use_seq_len ? 1 : 0); }
  int state_cell_index() const { return lstm() ? 3 : -1; }
  int seq_len_index() const { return use_seq_len ? (lstm() ? 4 : 3) : -1; }
  // Visible outputs: out, [hy, [cy]]; the reserve follows them.
  int num_visible_outputs() const { return state_outputs ? (lstm() ? 3 : 2) : 1; }

  // Flat parameter vector.
  int64_t weight_size(int64_t l) const { return gh() * (layer_input(l) + H); }
  int64_t param_size() const;
  int64_t w_i2h_offset(int64_t l, int64_t d) const;
  int64_t w_h2h_offset(int64_t l, int64_t d) const { return w_i2h_offset(l, d) + gh() * layer_input(l); }
  int64_t b_i2h_offset(int64_t l, int64_t d) const;
  int64_t b_h2h_offset(int64_t l, int64_t d) const { return b_i2h_offset(l, d) + gh(); }

  // Reserve.
  int64_t gate_cols() const { return lstm() || gru() ? 4 * H : 0; }
  int64_t per_direction_reserve() const { return T * N * (gate_cols() + (lstm() ? H : 0)); }
  int64_t gates_offset(int64_t l, int64_t d) const { return (l * D + d) * per_direction_reserve(); }
  int64_t cell_offset(int64_t l, int64_t d) const { return gates_offset(l, d) + T * N * gate_cols(); }
  int64_t layer_out_size() const { return T * N * D * H; }
  int64_t y_offset(int64_t l) const;     // layers 0 .. L-2
  int64_t mask_offset(int64_t l) const;  // layers 0 .. L-2, p > 0
  int64_t reserve_size() const;

  // Shapes.
  Shape out_shape() const { return Shape{T, N, D * H}; }
  Shape state_shape() const { return Shape{L * D, N, H}; }
};

// Reads and validates the attributes (op: the name errors carry).  Throws
// Error(VALUE / NOT_IMPLEMENTED) with the op and attribute named.
Config parse_attrs(const Params& p, const std::string& op);
// parse_attrs plus the data shape (T, N, I); validates it.
Config make_config(const Params& p, const std::string& op, const Shape& data);

}  // namespace rnn
}  // namespace mxl
