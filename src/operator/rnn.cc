// RNN: MXNet 1.9's fused multi-layer (bidirectional) vanilla RNN, LSTM and
// GRU over a TNC sequence, and its hidden backward op _backward_RNN.
//
// Inputs: data (T, N, I), parameters (flat; layout in rnn_config.h),
// state (L*D, N, H), state_cell (lstm only), sequence_length (N,) (only with
// use_sequence_length).  Outputs: out (T, N, D*H), with state_outputs also
// hy (and cy for lstm); then one hidden output, the reserve the backward
// needs.  Unlike MXNet 1.9's CPU path, which rejects them, state clipping
// and sequence lengths are implemented (with cuDNN's semantics, which is
// what MXNet offers on GPU); projection_size is not.
#include <string>
#include <vector>

#include "autograd/gradient.h"
#include "operator/registry.h"
#include "operator/rnn_config.h"
#include "operator/rnn_kernels.h"

namespace mxl {
namespace {

using rnn::Config;

const char* const kOp = "RNN";
const char* const kBackOp = "_backward_RNN";

std::vector<std::string> forward_input_names(const Config& c) {
  std::vector<std::string> n{"data", "parameters", "state"};
  if (c.lstm()) n.emplace_back("state_cell");
  if (c.use_seq_len) n.emplace_back("sequence_length");
  return n;
}

// Number of visible outputs' gradients the backward op takes.
int num_state_grads(const Config& c) { return c.state_outputs ? (c.lstm() ? 2 : 1) : 0; }

std::vector<std::string> backward_input_names(const Config& c) {
  std::vector<std::string> n = forward_input_names(c);
  n.insert(n.end(), {"output", "reserve", "output_grad"});
  if (c.state_outputs) n.emplace_back("state_output_grad");
  if (c.state_outputs && c.lstm()) n.emplace_back("statecell_output_grad");
  return n;
}

// A known input must have the shape the attributes and data imply; an
// unknown one (symbolic inference) gets it.
void assign_or_check(std::vector<Shape>* in, int i, const Shape& want, const char* op,
                     const char* arg, const char* why) {
  Shape& s = (*in)[i];
  if (!s.known()) {
    s = want;
    return;
  }
  MXL_CHECK(s == want, MXL_ERR_VALUE, op_error_prefix(op, arg), " has shape ", s.str(),
            "; expected ", want.str(), " ", why);
}

// The checks shared by RNN and _backward_RNN (their first inputs agree).
Config infer_common(const Params& p, const char* op, std::vector<Shape>* in) {
  Config c = rnn::make_config(p, op, (*in)[0]);
  const std::string dims = "(T, N, I) = " + (*in)[0].str();
  assign_or_check(in, 1, Shape{c.param_size()}, op, "parameters",
                  ("(the flat weights and biases of " + std::to_string(c.L) + " layer(s), " +
                   std::to_string(c.D) + " direction(s), state_size " + std::to_string(c.H) +
                   ", mode '" + p.get_enum("mode") + "', input size " + std::to_string(c.I) + ")")
                      .c_str());
  const std::string st = "(num_layers * directions, batch size, state_size)";
  assign_or_check(in, 2, c.state_shape(), op, "state", st.c_str());
  if (c.lstm()) assign_or_check(in, 3, c.state_shape(), op, "state_cell", st.c_str());
  if (c.use_seq_len)
    assign_or_check(in, c.seq_len_index(), Shape{c.N}, op, "sequence_length", "(batch size,)");
  return c;
}

void infer_rnn_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!(*in)[0].known()) return;
  const Config c = infer_common(p, kOp, in);
  int k = 0;
  (*out)[k++] = c.out_shape();
  if (c.state_outputs) {
    (*out)[k++] = c.state_shape();
    if (c.lstm()) (*out)[k++] = c.state_shape();
  }
  (*out)[k] = Shape{c.reserve_size()};
}

void check_float_type(const char* op, const char* arg, DType t) {
  MXL_CHECK(t == DType::kFloat32 || t == DType::kFloat64, MXL_ERR_TYPE, op_error_prefix(op, arg),
            " has dtype ", dtype_name(t), "; expected float32 or float64");
}

// Inputs share data's dtype, except sequence_length (any numeric dtype).
void check_input_types(const Config& c, const char* op, const std::vector<DType>& in,
                       const std::vector<std::string>& names) {
  check_float_type(op, "data", in[0]);
  for (size_t i = 1; i < in.size(); ++i) {
    if (static_cast<int>(i) == c.seq_len_index()) {
      MXL_CHECK(in[i] != DType::kBool, MXL_ERR_TYPE, op_error_prefix(op, "sequence_length"),
                " has dtype bool; expected a numeric dtype (lengths)");
      continue;
    }
    MXL_CHECK(in[i] == in[0], MXL_ERR_TYPE, op_error_prefix(op, names[i].c_str()), " has dtype ",
              dtype_name(in[i]), " but 'data' has dtype ", dtype_name(in[0]),
              "; expected the same dtype");
  }
}

void infer_rnn_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  const Config c = rnn::parse_attrs(p, kOp);
  check_input_types(c, kOp, *in, forward_input_names(c));
  for (auto& t : *out) t = (*in)[0];
}

// sequence_length as int64, each in [0, T].
std::vector<int64_t> read_lengths(const Config& c, const TBlob& b, const char* op) {
  std::vector<int64_t> lens(c.N);
  MXL_TYPE_SWITCH(b.dtype, V, {
    const V* v = b.ptr<V>();
    for (int64_t i = 0; i < c.N; ++i) {
      const double x = static_cast<double>(v[i]);
      MXL_CHECK(x >= 0 && x <= static_cast<double>(c.T) && x == static_cast<double>(int64_t(x)),
                MXL_ERR_VALUE, op_error_prefix(op, "sequence_length"), " holds ", x,
                " at batch index ", i, "; expected whole lengths in [0, ", c.T,
                "] (the sequence length of 'data')");
      lens[i] = static_cast<int64_t>(x);
    }
  })
  return lens;
}

void rnn_forward_kernel(const OpContext& ctx, const Params& p, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  const Config c = rnn::make_config(p, kOp, in[0].shape);
  std::vector<int64_t> lens;
  if (c.use_seq_len) lens = read_lengths(c, in[c.seq_len_index()], kOp);
  const bool dropout = ctx.is_train && c.p > 0 && c.L > 1;
  MXL_CHECK(!dropout || ctx.rng, MXL_ERR_RUNTIME, "Operator RNN: internal: no random generator");
  const uint64_t key = dropout ? (*ctx.rng)() : 0;
  auto run = [&](auto tag) {
    using T = decltype(tag);
    rnn::ForwardArgs<T> a;
    a.x = in[0].ptr<T>();
    a.w = in[1].ptr<T>();
    a.hx = in[2].ptr<T>();
    if (c.lstm()) a.cx = in[3].ptr<T>();
    if (c.use_seq_len) a.lens = lens.data();
    a.y = out[0].ptr<T>();
    if (c.state_outputs) a.hy = out[1].ptr<T>();
    if (c.state_outputs && c.lstm()) a.cy = out[2].ptr<T>();
    a.reserve = out.back().ptr<T>();
    a.train = dropout;
    a.dropout_key = key;
    rnn::forward<T>(c, a);
  };
  if (in[0].dtype == DType::kFloat32) run(float{});
  else run(double{});
}

// _backward_RNN inputs: the forward's inputs, out, reserve, out's gradient,
// then the gradients of hy (and cy) when state_outputs.  Outputs: gradients
// of data, parameters, state (and state_cell).
void infer_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!(*in)[0].known()) return;
  const Config c = infer_common(p, kBackOp, in);
  const int base = c.num_inputs();
  assign_or_check(in, base, c.out_shape(), kBackOp, "output", "(the forward's output)");
  assign_or_check(in, base + 1, Shape{c.reserve_size()}, kBackOp, "reserve",
                  "(the forward's hidden reserve output)");
  assign_or_check(in, base + 2, c.out_shape(), kBackOp, "output_grad", "(the shape of output)");
  for (int k = 0; k < num_state_grads(c); ++k)
    assign_or_check(in, base + 3 + k, c.state_shape(), kBackOp,
                    k == 0 ? "state_output_grad" : "statecell_output_grad", "(the state shape)");
  for (size_t i = 0; i < out->size(); ++i) (*out)[i] = (*in)[i];
}

void infer_backward_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  const Config c = rnn::parse_attrs(p, kBackOp);
  check_input_types(c, kBackOp, *in, backward_input_names(c));
  for (auto& t : *out) t = (*in)[0];
}

void rnn_backward_kernel(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  const Config c = rnn::make_config(p, kBackOp, in[0].shape);
  std::vector<int64_t> lens;
  if (c.use_seq_len) lens = read_lengths(c, in[c.seq_len_index()], kBackOp);
  const int base = c.num_inputs();
  auto run = [&](auto tag) {
    using T = decltype(tag);
    rnn::BackwardArgs<T> a;
    a.x = in[0].ptr<T>();
    a.w = in[1].ptr<T>();
    a.hx = in[2].ptr<T>();
    if (c.lstm()) a.cx = in[3].ptr<T>();
    if (c.use_seq_len) a.lens = lens.data();
    a.y = in[base].ptr<T>();
    a.reserve = in[base + 1].ptr<T>();
    a.dy = in[base + 2].ptr<T>();
    if (c.state_outputs) a.dhy = in[base + 3].ptr<T>();
    if (c.state_outputs && c.lstm()) a.dcy = in[base + 4].ptr<T>();
    a.dx = out[0].ptr<T>();
    a.dw = out[1].ptr<T>();
    a.dhx = out[2].ptr<T>();
    if (c.lstm()) a.dcx = out[3].ptr<T>();
    rnn::backward<T>(c, a);
  };
  if (in[0].dtype == DType::kFloat32) run(float{});
  else run(double{});
}

// One _backward_RNN node computes every input gradient; sequence_length
// gets none.
std::vector<GradValue> rnn_gradient(GradBuilder& b, const GradNode& n) {
  const Config c = rnn::parse_attrs(*n.params, kOp);
  std::vector<GradValue> ins(n.inputs.begin(), n.inputs.end());
  const int nvis = c.num_visible_outputs();
  ins.push_back(n.outputs[0]);
  ins.push_back(n.outputs[nvis]);  // the reserve
  for (int k = 0; k < nvis; ++k) ins.push_back(n.out_grads[k]);
  std::vector<GradValue> g = b.apply(kBackOp, ins, n.params->attrs());
  std::vector<GradValue> res(n.inputs.size());
  for (size_t i = 0; i < g.size(); ++i) res[i] = g[i];
  return res;
}

void register_rnn() {
  OpDef& op = Registry::get().add(kOp);
  op.describe(
        "Applies recurrent layers to input data: vanilla RNN (relu or tanh), LSTM and GRU, "
        "multi-layer and optionally bidirectional, over a (sequence length, batch, feature) "
        "input.\n\n"
        "rnn: h_t = act(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh).\n"
        "lstm: i, f, o = sigmoid(W_i* x_t + b_i* + W_h* h_(t-1) + b_h*), "
        "g = tanh(W_ig x_t + b_ig + W_hg h_(t-1) + b_hg), c_t = f * c_(t-1) + i * g, "
        "h_t = o * tanh(c_t).\n"
        "gru: r, z = sigmoid(W_i* x_t + b_i* + W_h* h_(t-1) + b_h*), "
        "n = tanh(W_in x_t + b_in + r * (W_hn h_(t-1) + b_hn)), h_t = (1 - z) * n + z * h_(t-1).\n\n"
        "'parameters' holds all weights (per layer, per direction: W_i2h then W_h2h; gate "
        "order i,f,g,o for lstm and r,z,n for gru), followed by all biases in the same order "
        "(b_i2h then b_h2h).")
      .add_input("data", "Input data to RNN, shape (T, N, I).")
      .add_input("parameters", "Vector of all RNN trainable parameters concatenated.")
      .add_input("state", "Initial hidden state, shape (num_layers * directions, N, state_size).")
      .add_input("state_cell", "Initial cell state for LSTM networks (only for LSTM).")
      .add_input("sequence_length",
                 "Vector of valid sequence lengths for each element in batch (only used if "
                 "use_sequence_length is True).")
      .set_outputs({"output", "state_output", "statecell_output"})
      .add_param("state_size", "int", "", "size of the state for each layer")
      .add_param("num_layers", "int", "", "number of stacked layers")
      .add_param("bidirectional", "bool", "False", "whether to use bidirectional recurrent layers")
      .add_param("mode", "enum{rnn_relu,rnn_tanh,lstm,gru}", "", "the type of RNN to compute")
      .add_param("p", "float", "0", "drop rate of the dropout on the outputs of each RNN layer, "
                 "except the last layer (training only)")
      .set_range(0, 1)
      .add_param("state_outputs", "bool", "False", "Whether to have the states as symbol outputs.")
      .add_param("projection_size", "optional<int>", "None",
                 "size of project size (LSTM projection; not implemented in mxlite)")
      .add_param("lstm_state_clip_min", "optional<float>", "None",
                 "Minimum clip value of LSTM states. This option must be used together with "
                 "lstm_state_clip_max.")
      .add_param("lstm_state_clip_max", "optional<float>", "None",
                 "Maximum clip value of LSTM states. This option must be used together with "
                 "lstm_state_clip_min.")
      .add_param("lstm_state_clip_nan", "bool", "False",
                 "Whether to stop NaN from propagating in state by clipping it to min/max. If "
                 "clipping range is not specified, this option is ignored.")
      .add_param("use_sequence_length", "bool", "False",
                 "If set to true, this layer takes in an extra input parameter `sequence_length` "
                 "to specify variable length sequence")
      .set_num_inputs([](const Params& p) { return rnn::parse_attrs(p, kOp).num_inputs(); })
      .set_list_input_names(
          [](const Params& p) { return forward_input_names(rnn::parse_attrs(p, kOp)); })
      .set_num_outputs(
          [](const Params& p) { return rnn::parse_attrs(p, kOp).num_visible_outputs() + 1; })
      .set_num_visible_outputs(
          [](const Params& p) { return rnn::parse_attrs(p, kOp).num_visible_outputs(); })
      .set_infer_shape(infer_rnn_shape)
      .set_infer_type(infer_rnn_type)
      .set_forward(rnn_forward_kernel)
      .set_needs_rng()
      .set_gradient(rnn_gradient);

  Registry::get()
      .add(kBackOp)
      .describe("Gradients of RNN (hidden; autograd applies it).")
      .add_input("data")
      .add_input("parameters")
      .add_input("state")
      .add_input("state_cell")
      .add_input("sequence_length")
      .add_input("output")
      .add_input("reserve")
      .add_input("output_grad")
      .add_input("state_output_grad")
      .add_input("statecell_output_grad")
      .copy_params_from(kOp)
      .set_num_inputs([](const Params& p) {
        const Config c = rnn::parse_attrs(p, kBackOp);
        return c.num_inputs() + 3 + num_state_grads(c);
      })
      .set_list_input_names(
          [](const Params& p) { return backward_input_names(rnn::parse_attrs(p, kBackOp)); })
      .set_num_outputs([](const Params& p) { return rnn::parse_attrs(p, kBackOp).lstm() ? 4 : 3; })
      .set_infer_shape(infer_backward_shape)
      .set_infer_type(infer_backward_type)
      .set_forward(rnn_backward_kernel);
}

MXL_REGISTER_BLOCK(register_rnn);

}  // namespace
}  // namespace mxl
