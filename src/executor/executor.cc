#include "executor/executor.h"

#include "autograd/state.h"
#include "executor/mirror.h"
#include "imperative/invoke.h"
#include "symbol/infer.h"

namespace mxl {
namespace exec {

using symbol::IndexedGraph;
using symbol::Symbol;

namespace {

// One op with default attributes, outside autograd, into `out`.
void run_simple(const char* op_name, const std::vector<NDArray>& in, const NDArray& out) {
  const OpDef* op = Registry::get().find(op_name);
  std::vector<NDArray> outs{out};
  imperative::invoke(op, imperative::cached_params(op, 0, nullptr, nullptr), in, &outs);
}

NDArray zeros(const Shape& s, DType t) {
  NDArray a(s, t);
  run_simple("zeros_like", {a}, a);
  return a;
}

const char* req_name(GradReq r) {
  return r == GradReq::kNull ? "null" : r == GradReq::kAdd ? "add" : "write";
}

}  // namespace

std::unique_ptr<Executor> Executor::bind(const Symbol& sym, std::vector<NDArray> args,
                                         std::vector<NDArray> grads, std::vector<GradReq> reqs,
                                         std::vector<NDArray> aux) {
  const std::vector<std::string> arg_names = sym.list_arguments();
  const std::vector<std::string> aux_names = sym.list_auxiliary_states();
  MXL_CHECK(args.size() == arg_names.size(), MXL_ERR_VALUE, "bind: ", args.size(),
            " argument arrays given but the symbol has ", arg_names.size(), " arguments");
  MXL_CHECK(aux.size() == aux_names.size(), MXL_ERR_VALUE, "bind: ", aux.size(),
            " auxiliary arrays given but the symbol has ", aux_names.size(),
            " auxiliary states");
  if (reqs.empty()) reqs.assign(args.size(), grads.empty() ? GradReq::kNull : GradReq::kWrite);
  if (grads.empty()) grads.resize(args.size());
  MXL_CHECK(grads.size() == args.size() && reqs.size() == args.size(), MXL_ERR_VALUE, "bind: ",
            grads.size(), " gradient arrays and ", reqs.size(), " grad_reqs for ", args.size(),
            " arguments");
  for (size_t i = 0; i < args.size(); ++i) {
    MXL_CHECK(!args[i].is_none(), MXL_ERR_VALUE, "bind: argument '", arg_names[i],
              "' has no array");
    if (reqs[i] == GradReq::kNull) continue;
    MXL_CHECK(!grads[i].is_none(), MXL_ERR_VALUE, "bind: argument '", arg_names[i],
              "' has grad_req '", req_name(reqs[i]), "' but no gradient array");
    MXL_CHECK(grads[i].shape() == args[i].shape(), MXL_ERR_VALUE, "bind: the gradient array of '",
              arg_names[i], "' has shape ", grads[i].shape().str(), " but the argument has shape ",
              args[i].shape().str());
    MXL_CHECK(grads[i].dtype() == args[i].dtype(), MXL_ERR_TYPE, "bind: the gradient array of '",
              arg_names[i], "' has dtype ", dtype_name(grads[i].dtype()),
              " but the argument has dtype ", dtype_name(args[i].dtype()));
  }
  for (size_t i = 0; i < aux.size(); ++i)
    MXL_CHECK(!aux[i].is_none(), MXL_ERR_VALUE, "bind: auxiliary state '", aux_names[i],
              "' has no array");
  std::unique_ptr<Executor> ex(new Executor());
  ex->sym_ = sym;
  ex->args_ = std::move(args);
  ex->grads_ = std::move(grads);
  ex->reqs_ = std::move(reqs);
  ex->aux_ = std::move(aux);
  ex->setup();
  return ex;
}

void Executor::setup() {
  IndexedGraph fg(sym_);
  const size_t nin = fg.input_nodes().size();
  std::vector<Shape> shapes(nin);
  std::vector<DType> types(nin);
  // input_nodes order interleaves arguments and auxiliary states.
  std::vector<NDArray> inputs(nin);
  {
    size_t a = 0, x = 0;
    for (size_t i = 0; i < nin; ++i)
      inputs[i] = fg.is_mutable_input(fg.input_nodes()[i]) ? aux_[x++] : args_[a++];
  }
  for (size_t i = 0; i < nin; ++i) shapes[i] = inputs[i].shape(), types[i] = inputs[i].dtype();
  CompileOptions opt;
  opt.is_train = true;
  for (GradReq r : reqs_) {
    opt.needs_grad.push_back(r != GradReq::kNull);
    opt.grad_external.push_back(r == GradReq::kWrite);
  }
  cg_ = compile(sym_, shapes, types, opt);
  // The arrays must agree with what the graph infers from them.
  for (size_t i = 0; i < nin; ++i) {
    const uint32_t eid = cg_->input_entries[i];
    MXL_CHECK(cg_->shapes[eid] == shapes[i], MXL_ERR_VALUE, "bind: the array of '",
              fg.node(fg.input_nodes()[i]).name, "' has shape ", shapes[i].str(),
              " but the graph needs ", cg_->shapes[eid].str());
    MXL_CHECK(cg_->dtypes[eid] == types[i], MXL_ERR_TYPE, "bind: the array of '",
              fg.node(fg.input_nodes()[i]).name, "' has dtype ", dtype_name(types[i]),
              " but the graph needs ", dtype_name(cg_->dtypes[eid]));
  }
  state_ = std::make_unique<GraphState>(cg_);
  for (size_t i = 0; i < nin; ++i) state_->set_entry(cg_->input_entries[i], inputs[i]);
  outputs_.clear();
  for (uint32_t eid : cg_->output_entries) {
    if (state_->entry(eid).is_none()) state_->set_entry(eid, NDArray(cg_->shapes[eid], cg_->dtypes[eid]));
    outputs_.push_back(state_->entry(eid));
  }
  for (size_t i = 0; i < args_.size(); ++i)
    if (cg_->grad_bound[i]) state_->set_entry(static_cast<uint32_t>(cg_->grad_entries[i]), grads_[i]);
}

void Executor::forward(bool is_train) {
  state_->run_forward(is_train);
  forward_done_ = true;
}

void Executor::backward(const std::vector<NDArray>& out_grads, bool is_train) {
  // The gradient graph is built for training mode: after a forward with
  // is_train=False, BatchNorm's gradient still assumes batch statistics.
  MXL_CHECK(forward_done_, MXL_ERR_VALUE, "backward: call forward before backward");
  const size_t nout = outputs_.size();
  MXL_CHECK(out_grads.empty() || out_grads.size() == nout, MXL_ERR_VALUE, "backward: ",
            out_grads.size(), " output gradients given for ", nout, " outputs");
  if (ones_.empty()) ones_.resize(nout);
  for (size_t i = 0; i < nout; ++i) {
    const int64_t eid = cg_->head_grad_entries[i];
    if (eid < 0) continue;
    const uint32_t e = static_cast<uint32_t>(eid);
    if (!out_grads.empty() && !out_grads[i].is_none()) {
      const NDArray& g = out_grads[i];
      MXL_CHECK(g.shape() == cg_->shapes[e], MXL_ERR_VALUE, "backward: the gradient of output ", i,
                " has shape ", g.shape().str(), " but the output has shape ",
                cg_->shapes[e].str());
      MXL_CHECK(g.dtype() == cg_->dtypes[e], MXL_ERR_TYPE, "backward: the gradient of output ", i,
                " has dtype ", dtype_name(g.dtype()), " but the output has dtype ",
                dtype_name(cg_->dtypes[e]));
      state_->set_entry(e, g);
    } else {
      if (ones_[i].is_none()) {
        ones_[i] = NDArray(cg_->shapes[e], cg_->dtypes[e]);
        run_simple("ones_like", {ones_[i]}, ones_[i]);
      }
      state_->set_entry(e, ones_[i]);
    }
  }
  if (cg_->has_backward) state_->run_backward(is_train);
  autograd::ThreadState saved = autograd::thread_state();
  autograd::thread_state().recording = false;
  try {
    for (size_t i = 0; i < args_.size(); ++i) {
      if (reqs_[i] == GradReq::kNull || cg_->grad_bound[i]) continue;
      const int64_t eid = cg_->grad_entries[i];
      if (eid < 0) {
        // Nothing flows to this argument: its gradient is zero.
        if (reqs_[i] == GradReq::kWrite) run_simple("zeros_like", {grads_[i]}, grads_[i]);
        continue;
      }
      const NDArray& g = state_->entry(static_cast<uint32_t>(eid));
      if (reqs_[i] == GradReq::kAdd) run_simple("elemwise_add", {grads_[i], g}, grads_[i]);
      else run_simple("_copy", {g}, grads_[i]);
    }
  } catch (...) {
    autograd::thread_state() = saved;
    throw;
  }
  autograd::thread_state() = saved;
}

std::unique_ptr<Executor> Executor::simple_bind(const Symbol& sym,
                                                const std::vector<std::string>& shape_names,
                                                const std::vector<Shape>& shapes,
                                                const std::vector<std::string>& type_names,
                                                const std::vector<int>& types,
                                                const std::vector<GradReq>& reqs) {
  symbol::ShapeResult sr = symbol::infer_shape(sym, shape_names, shapes);
  const std::vector<std::string> arg_names = sym.list_arguments();
  const std::vector<std::string> aux_names = sym.list_auxiliary_states();
  std::string missing;
  for (size_t i = 0; i < arg_names.size(); ++i)
    if (!symbol::shape_complete(sr.args[i]))
      missing += (missing.empty() ? "" : ", ") + arg_names[i] + "=" + symbol::shape_text(sr.args[i]);
  for (size_t i = 0; i < aux_names.size(); ++i)
    if (!symbol::shape_complete(sr.aux[i]))
      missing += (missing.empty() ? "" : ", ") + aux_names[i] + "=" + symbol::shape_text(sr.aux[i]);
  MXL_CHECK(missing.empty(), MXL_ERR_VALUE,
            "simple_bind: cannot infer the shapes of every input from the given ones; "
            "incomplete: ", missing, " (pass their shapes as keyword arguments)");
  symbol::TypeResult tr = symbol::infer_type(sym, type_names, types);
  auto dt = [](int t) { return t < 0 ? DType::kFloat32 : static_cast<DType>(t); };
  std::vector<GradReq> r = reqs;
  if (r.empty()) r.assign(arg_names.size(), GradReq::kWrite);
  MXL_CHECK(r.size() == arg_names.size(), MXL_ERR_VALUE, "simple_bind: ", r.size(),
            " grad_reqs for ", arg_names.size(), " arguments");
  std::vector<NDArray> args, grads, aux;
  for (size_t i = 0; i < arg_names.size(); ++i) {
    args.push_back(zeros(sr.args[i], dt(tr.args[i])));
    grads.push_back(r[i] == GradReq::kNull ? NDArray() : zeros(sr.args[i], dt(tr.args[i])));
  }
  for (size_t i = 0; i < aux_names.size(); ++i) aux.push_back(zeros(sr.aux[i], dt(tr.aux[i])));
  return bind(sym, std::move(args), std::move(grads), std::move(r), std::move(aux));
}

std::unique_ptr<Executor> Executor::reshape(const std::vector<std::string>& names,
                                            const std::vector<Shape>& shapes,
                                            bool partial_shaping, bool allow_up_sizing) const {
  MXL_CHECK(names.size() == shapes.size(), MXL_ERR_VALUE, "reshape: ", names.size(),
            " names but ", shapes.size(), " shapes");
  symbol::ShapeResult sr = symbol::infer_shape(sym_, names, shapes);
  MXL_CHECK(sr.complete, MXL_ERR_VALUE,
            "reshape: the new shapes do not determine the shape of every array");
  const std::vector<std::string> arg_names = sym_.list_arguments();
  const std::vector<std::string> aux_names = sym_.list_auxiliary_states();
  auto named = [&](const std::string& n) {
    for (const auto& x : names)
      if (x == n) return true;
    return false;
  };
  // MXNet's rules: what changes without being asked for needs
  // partial_shaping; growing needs allow_up_sizing.
  auto remake = [&](const NDArray& old, const Shape& s, const std::string& name) -> NDArray {
    if (old.is_none()) return old;
    if (old.shape() == s) return old;
    MXL_CHECK(partial_shaping || named(name), MXL_ERR_VALUE, "reshape: the shape of '", name,
              "' changes from ", old.shape().str(), " to ", s.str(),
              "; pass partial_shaping=True to allow arrays not given to change shape");
    MXL_CHECK(allow_up_sizing || s.numel() <= old.numel(), MXL_ERR_VALUE, "reshape: '", name,
              "' grows from ", old.shape().str(), " to ", s.str(),
              "; pass allow_up_sizing=True to allow larger arrays");
    return zeros(s, old.dtype());
  };
  std::vector<NDArray> args, grads, aux;
  for (size_t i = 0; i < arg_names.size(); ++i) {
    args.push_back(remake(args_[i], sr.args[i], arg_names[i]));
    grads.push_back(remake(grads_[i], sr.args[i], arg_names[i]));
  }
  for (size_t i = 0; i < aux_names.size(); ++i) aux.push_back(remake(aux_[i], sr.aux[i], aux_names[i]));
  return bind(sym_, std::move(args), std::move(grads), reqs_, std::move(aux));
}

}  // namespace exec
}  // namespace mxl
