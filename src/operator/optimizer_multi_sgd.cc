// Multi-weight SGD updates: multi_sgd_update, multi_sgd_mom_update,
// multi_mp_sgd_update and multi_mp_sgd_mom_update.  One call updates
// num_weights weights with per-weight learning rates (lrs) and weight decays
// (wds); the inputs come grouped per weight:
//   multi_sgd_update          weight, grad
//   multi_sgd_mom_update      weight, grad, mom
//   multi_mp_sgd_update       weight, grad, weight32
//   multi_mp_sgd_mom_update   weight, grad, mom, weight32
// and output k is the new weight k (callers pass out=[weights]).  Each group
// runs the single-weight kernel of optimizer_sgd_kernels.h.
#include "operator/optimizer_sgd_kernels.h"

namespace mxl {
namespace optim {
namespace {

struct Layout {
  const char* const* names;  // input names of one group
  int group;                 // inputs per weight
  bool momentum, mp;
};

constexpr const char* kSgdNames[] = {"weight", "grad"};
constexpr const char* kSgdMomNames[] = {"weight", "grad", "mom"};
constexpr const char* kMpSgdNames[] = {"weight", "grad", "weight32"};
constexpr const char* kMpSgdMomNames[] = {"weight", "grad", "mom", "weight32"};

const Layout& layout_of(const std::string& op) {
  static const Layout sgd{kSgdNames, 2, false, false}, sgd_mom{kSgdMomNames, 3, true, false},
      mp_sgd{kMpSgdNames, 3, false, true}, mp_sgd_mom{kMpSgdMomNames, 4, true, true};
  if (op == "multi_sgd_update") return sgd;
  if (op == "multi_sgd_mom_update") return sgd_mom;
  if (op == "multi_mp_sgd_update") return mp_sgd;
  return mp_sgd_mom;
}

std::string group_names(const Layout& l) {
  std::string s;
  for (int i = 0; i < l.group; ++i) s += (i ? ", " : "") + std::string(l.names[i]);
  return s;
}

// "argument 'mom' of weight 1 (input 5)"
std::string arg_name(const std::string& op, const Layout& l, size_t input) {
  return op_error_prefix(op, l.names[input % l.group]) + " of weight " +
         std::to_string(input / l.group) + " (input " + std::to_string(input) + ")";
}

// num_weights, the input count and the lengths of lrs / wds must agree.
void check_layout(const Params& p, const Layout& l, size_t num_inputs) {
  const std::string& op = p.op()->name;
  const int64_t nw = p.get_int("num_weights");
  MXL_CHECK(nw >= 1, MXL_ERR_VALUE, "Operator ", op, ": invalid value ", nw,
            " for parameter 'num_weights': expected at least 1");
  MXL_CHECK(num_inputs == static_cast<size_t>(nw * l.group), MXL_ERR_VALUE, "Operator ", op,
            ": expected ", l.group, " inputs per weight (", group_names(l), ") for num_weights=",
            nw, ", i.e. ", nw * l.group, " inputs, got ", num_inputs);
  for (const char* name : {"lrs", "wds"}) {
    const size_t len = parse_float_tuple(op, name, p.get_str(name)).size();
    MXL_CHECK(len == static_cast<size_t>(nw), MXL_ERR_VALUE, "Operator ", op, ": parameter '",
              name, "' has ", len, " value", len == 1 ? "" : "s", " but num_weights is ", nw,
              "; expected one per weight");
  }
}

void multi_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  const std::string& op = p.op()->name;
  const Layout& l = layout_of(op);
  check_layout(p, l, in->size());
  for (size_t k = 0; k < out->size(); ++k) {
    const size_t base = k * l.group;
    const DType w = (*in)[base];
    check_float(op, l.names[0], w);
    for (int j = 1; j < l.group; ++j) {
      // mp: mom and weight32 are float32; otherwise the weight's dtype.
      const DType want = (l.mp && j >= 2) ? DType::kFloat32 : w;
      MXL_CHECK((*in)[base + j] == want, MXL_ERR_TYPE, arg_name(op, l, base + j), " has dtype ",
                dtype_name((*in)[base + j]), " but expected ", dtype_name(want));
    }
    (*out)[k] = w;
  }
}

void multi_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const std::string& op = p.op()->name;
  const Layout& l = layout_of(op);
  check_layout(p, l, in->size());
  for (size_t k = 0; k < out->size(); ++k) {
    const size_t base = k * l.group;
    const Shape& w = (*in)[base];
    for (int j = 1; j < l.group; ++j)
      MXL_CHECK((*in)[base + j] == w, MXL_ERR_VALUE, arg_name(op, l, base + j), " has shape ",
                (*in)[base + j].str(), " but weight ", k, " has shape ", w.str(),
                "; they must match");
    (*out)[k] = w;
  }
}

void multi_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  const std::string& op = p.op()->name;
  const Layout& l = layout_of(op);
  const std::vector<double> lrs = parse_float_tuple(op, "lrs", p.get_str("lrs"));
  const std::vector<double> wds = parse_float_tuple(op, "wds", p.get_str("wds"));
  SGDArgs a = sgd_args(p, l.momentum, /*has_lr_wd=*/false);
  for (size_t k = 0; k < out.size(); ++k) {
    const TBlob* g = &in[k * l.group];  // this weight's group
    a.lr = lrs[k];
    a.wd = wds[k];
    const int64_t n = g[0].numel();
    MXL_FLOAT_SWITCH(g[0].dtype, T, op, {
      const T* w = g[0].ptr<const T>();
      const T* grad = g[1].ptr<const T>();
      T* o = out[k].ptr<T>();
      if (!l.mp && !l.momentum) sgd_kernel<T>(n, w, grad, o, a);
      else if (!l.mp) sgd_mom_kernel<T>(n, w, grad, g[2].ptr<T>(), o, a);
      else if (!l.momentum) mp_sgd_kernel<T>(n, grad, g[2].ptr<float>(), o, a);
      else mp_sgd_mom_kernel<T>(n, grad, g[2].ptr<float>(), g[3].ptr<float>(), o, a);
    })
  }
}

void register_multi_op(const char* name, const char* doc, int group, bool momentum) {
  OpDef& op = Registry::get().add(name);
  op.describe(doc)
      .add_input("data", "Weights, gradients and states, grouped per weight")
      .set_variadic()
      .set_num_outputs_param("num_weights")
      .add_param("lrs", "str", "", "Learning rates, one per weight: a tuple of floats.")
      .add_param("wds", "str", "",
                 "Weight decays, one per weight: a tuple of floats. Weight decay augments the "
                 "objective function with a regularization term that penalizes large weights.");
  if (momentum)
    op.add_param("momentum", "float", "0", "The decay rate of momentum estimates at each epoch.");
  add_rescale_clip(op)
      .add_param("num_weights", "int", "1", "Number of updated weights.")
      .set_range(1, 1e8)  // rejected before the output count is taken from it
      // Weight k (input k*group) may be output k; the states after the
      // gradient (positions >= 2 in a group) are written in place.
      .set_inplace_fn([group](const Params&, int input, int output) {
        return input == output * group;
      })
      .set_mutate_input_fn([group](const Params&, int input) { return input % group >= 2; })
      .set_infer_type(multi_type)
      .set_infer_shape(multi_shape)
      .set_forward(multi_forward);
}

void register_multi_sgd_ops() {
  register_multi_op("multi_sgd_update",
                    "Updates num_weights weights with SGD in one call: for each weight k, "
                    "weight = (1 - lrs[k]*wds[k]) * weight - lrs[k] * clip(rescale_grad * grad, "
                    "clip_gradient). Inputs: weight, grad per weight; returns the new weights.",
                    2, false);
  register_multi_op("multi_sgd_mom_update",
                    "Updates num_weights weights with momentum SGD in one call: for each weight "
                    "k, mom = momentum * mom - lrs[k]*wds[k] * weight - lrs[k] * g; weight += "
                    "mom. Inputs: weight, grad, mom per weight; the moms are updated in place; "
                    "returns the new weights.",
                    3, true);
  register_multi_op("multi_mp_sgd_update",
                    "Multi-precision multi_sgd_update: each weight's float32 master copy "
                    "weight32 is updated in place and rounded into the weight's dtype. Inputs: "
                    "weight, grad, weight32 per weight; returns the new weights.",
                    3, false);
  register_multi_op("multi_mp_sgd_mom_update",
                    "Multi-precision multi_sgd_mom_update on float32 moms and master weights "
                    "(updated in place). Inputs: weight, grad, mom, weight32 per weight; returns "
                    "the new weights.",
                    4, true);
}

MXL_REGISTER_BLOCK(register_multi_sgd_ops);

}  // namespace
}  // namespace optim
}  // namespace mxl
