// The operator registry (DESIGN.md section 4).
//
// An op is declared once, in src/operator/<family>.cc, with
//
//   MXL_REGISTER_OP(broadcast_add)
//       .describe("Elementwise sum with NumPy broadcasting.")
//       .add_alias("broadcast_plus")
//       .add_input("lhs", "first input")
//       .add_input("rhs", "second input")
//       .set_infer_shape(broadcast_shape)
//       .set_forward(broadcast_add_kernel);
//
// and is then reachable from every language through mxl_invoke and the
// registry JSON document; no binding code changes.
#pragma once
#include <functional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/dtype.h"
#include "common/error.h"
#include "common/shape.h"
#include "ndarray/ndarray.h"
#include "operator/params.h"

namespace mxl {

// What a kernel may use besides its inputs and outputs.
struct OpContext {
  bool is_train = false;  // autograd's training mode when the op was invoked
  std::mt19937_64* rng = nullptr;  // set for ops declared with set_needs_rng()
  const std::vector<NDArray>* outputs = nullptr;  // the arrays behind the output blobs

  // Whether output i may be left in a layout of the kernel's own (see Chunk
  // in ndarray/ndarray.h); if so, the kernel calls leave_own_layout after
  // writing it.
  bool may_leave_own_layout(size_t i) const {
    return outputs && i < outputs->size() && (*outputs)[i].may_hold_own_layout();
  }
  void leave_own_layout(size_t i, ToPlain to_plain) const {
    (*outputs)[i].chunk()->set_own_layout(std::move(to_plain));
  }
};

// Shape inference.  in: input shapes (unknown entries have !known() once
// symbolic inference exists; in eager mode all are known).  Fill every entry
// of out; may fill unknown inputs.  Throw Error(VALUE/INDEX) naming the op
// and the argument on a mismatch.
using InferShapeFn =
    std::function<void(const Params&, std::vector<Shape>* in, std::vector<Shape>* out)>;
// Dtype inference, same contract.
using InferTypeFn =
    std::function<void(const Params&, std::vector<DType>* in, std::vector<DType>* out)>;
// The CPU kernel.  out blobs are pre-allocated with the inferred shapes and
// dtypes; they may alias inputs only for declared in-place pairs.  Throwing
// mxl::Error here becomes an asynchronous error (DESIGN.md section 3).
using ForwardFn = std::function<void(const OpContext&, const Params&,
                                     const std::vector<TBlob>& in,
                                     const std::vector<TBlob>& out)>;
// Number of inputs or outputs computed from the params (Concat's num_args).
using CountFn = std::function<int(const Params&)>;
// Names of the inputs a particular attribute set takes, for ops whose inputs
// depend on attributes (RNN: state_cell only for lstm).
using NamesFn = std::function<std::vector<std::string>(const Params&)>;
// Per-call forms of `inplace` and `mutate_inputs`, for ops whose input layout
// depends on a parameter (multi_sgd_mom_update: every third input is a state).
using MutateInputFn = std::function<bool(const Params&, int input)>;
using InplaceFn = std::function<bool(const Params&, int input, int output)>;

class GradBuilder;
struct GradNode;
struct GradValue;
// The op's gradient, written with registered ops (see autograd/gradient.h).
using GradientFn = std::function<std::vector<GradValue>(GradBuilder&, const GradNode&)>;

struct OpDef {
  std::string name;
  std::vector<std::string> aliases;
  std::string doc;
  std::vector<std::string> input_names, input_docs;
  std::vector<std::string> output_names;
  bool variadic_inputs = false;   // any number >= 1 (or num_inputs_param)
  std::string num_inputs_param;   // e.g. "num_args"; empty if fixed/free
  std::string num_outputs_param;  // e.g. "num_outputs"; empty if fixed
  CountFn num_inputs_fn, num_outputs_fn;
  NamesFn input_names_fn;  // unset: input_names
  std::vector<ParamField> params;
  InferShapeFn infer_shape;
  InferTypeFn infer_type;  // default: all inputs share one dtype, outputs get it
  ForwardFn forward;
  bool needs_rng = false;
  // A gradient is registered (autograd and symbolic backward can use it).
  bool differentiable = false;
  GradientFn gradient;
  std::vector<std::pair<int, int>> inplace;  // (input, output) that may share memory
  // Inputs the kernel writes (BatchNorm's moving stats, optimizer states):
  // the engine orders them as writes.
  std::vector<int> mutate_inputs;
  MutateInputFn mutate_input_fn;  // optional, in addition to mutate_inputs
  InplaceFn inplace_fn;           // optional, in addition to inplace
  // Outputs returned to callers; the rest (Dropout's mask, BatchNorm's saved
  // batch statistics) exist for the gradient.  Unset: all outputs.
  CountFn num_visible_outputs_fn;
  // The outputs MXNet's own op has, which its JSON files count in
  // node_row_ptr (Convolution's blocked_data output is mxlite's alone).
  // Unset: all outputs.
  CountFn num_mxnet_outputs_fn;

  int num_inputs(const Params& p) const;   // -1: variadic, any count
  // The inputs these params take (input_names unless input_names_fn is set).
  std::vector<std::string> list_input_names(const Params& p) const;
  int num_outputs(const Params& p) const;
  int num_visible_outputs(const Params& p) const;
  int num_mxnet_outputs(const Params& p) const;
  int param_index(const std::string& name) const;  // -1 if absent
  bool is_mutate_input(const Params& p, int input) const;
  bool is_inplace(const Params& p, int input, int output) const;

  // Builder, used by MXL_REGISTER_OP.
  OpDef& describe(const std::string& d) { doc = d; return *this; }
  OpDef& add_alias(const std::string& a);
  OpDef& add_input(const std::string& n, const std::string& d = "") {
    input_names.push_back(n);
    input_docs.push_back(d);
    return *this;
  }
  OpDef& set_variadic(const std::string& count_param = "") {
    variadic_inputs = true;
    num_inputs_param = count_param;
    return *this;
  }
  OpDef& set_outputs(std::vector<std::string> names) { output_names = std::move(names); return *this; }
  OpDef& set_num_outputs_param(const std::string& p) { num_outputs_param = p; return *this; }
  OpDef& set_num_outputs(CountFn f) { num_outputs_fn = std::move(f); return *this; }
  // Inputs that depend on the params: their count and names.
  OpDef& set_num_inputs(CountFn f) { num_inputs_fn = std::move(f); return *this; }
  OpDef& set_list_input_names(NamesFn f) { input_names_fn = std::move(f); return *this; }
  // A last input given only when the bool parameter `flag` (default False,
  // added here) is true: a hidden output a forward leaves for its _backward_
  // op.  Sets the input count and names accordingly.
  OpDef& add_optional_input(const std::string& name, const std::string& doc,
                            const std::string& flag, const std::string& flag_doc);
  // Add a parameter.  type_text is the registry vocabulary: "int", "float",
  // "bool", "str", "shape", "dtype", "enum{a,b,c}", optionally wrapped as
  // "optional<...>".  default_text is MXNet's text form; "" means required.
  OpDef& add_param(const std::string& name, const std::string& type_text,
                   const std::string& default_text, const std::string& doc);
  // Makes the last added parameter optional with this default; needed when the
  // default is the empty string, which add_param reads as "required".
  OpDef& set_default(const std::string& default_text);
  // Inclusive numeric range for the last added parameter.
  OpDef& set_range(double lo, double hi);
  OpDef& set_infer_shape(InferShapeFn f) { infer_shape = std::move(f); return *this; }
  OpDef& set_infer_type(InferTypeFn f) { infer_type = std::move(f); return *this; }
  OpDef& set_forward(ForwardFn f) { forward = std::move(f); return *this; }
  OpDef& set_needs_rng() { needs_rng = true; return *this; }
  // Declares the gradient (makes the op differentiable).
  OpDef& set_gradient(GradientFn f) {
    gradient = std::move(f);
    differentiable = true;
    return *this;
  }
  OpDef& add_mutate_input(int in) { mutate_inputs.push_back(in); return *this; }
  OpDef& set_mutate_input_fn(MutateInputFn f) { mutate_input_fn = std::move(f); return *this; }
  OpDef& set_inplace_fn(InplaceFn f) { inplace_fn = std::move(f); return *this; }
  OpDef& set_num_visible_outputs(CountFn f) { num_visible_outputs_fn = std::move(f); return *this; }
  OpDef& set_num_mxnet_outputs(CountFn f) { num_mxnet_outputs_fn = std::move(f); return *this; }
  // Copies another op's parameter schema (a _backward_X op takes X's
  // attributes); the other op must be registered in the same file, above.
  OpDef& copy_params_from(const std::string& op_name);
  OpDef& add_inplace(int in, int out) { inplace.emplace_back(in, out); return *this; }
};

class Registry {
 public:
  static Registry& get();
  OpDef& add(const std::string& name);             // throws on duplicates
  const OpDef* find(const std::string& name) const;  // name or alias; nullptr if none
  const std::vector<OpDef*>& ops() const { return ops_; }
  void add_alias(OpDef* op, const std::string& alias);
  // The registry JSON document (schema in include/c_api.h), built once.
  const std::string& json();

 private:
  std::vector<OpDef*> ops_;
  std::unordered_map<std::string, OpDef*> by_name_;
  std::string json_;
};

// Shared inference helpers for ops whose inputs must agree.
void infer_type_same(const std::string& op, std::vector<DType>* in, std::vector<DType>* out);
// "Operator <op>: <arg> ..." -- the one prefix every op error message uses.
std::string op_error_prefix(const std::string& op, const std::string& arg);

#define MXL_CONCAT_INNER(a, b) a##b
#define MXL_CONCAT(a, b) MXL_CONCAT_INNER(a, b)
#define MXL_REGISTER_OP(name)                                     \
  static ::mxl::OpDef& MXL_CONCAT(mxl_op_reg_, __COUNTER__) [[maybe_unused]] = \
      ::mxl::Registry::get().add(#name)

// Runs a block at load time, for families registered in a loop.
#define MXL_REGISTER_BLOCK(fn)                                          \
  static const int MXL_CONCAT(mxl_reg_block_, __COUNTER__) [[maybe_unused]] = \
      ((fn)(), 0)

}  // namespace mxl
