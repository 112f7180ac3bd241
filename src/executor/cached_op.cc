#include "executor/cached_op.h"

#include <sstream>

#include "autograd/state.h"
#include "symbol/indexed_graph.h"

namespace mxl {
namespace exec {

namespace {

bool parse_flag_bool(const std::string& key, const std::string& v) {
  if (v == "1" || v == "True" || v == "true") return true;
  if (v == "0" || v == "False" || v == "false") return false;
  throw_error(MXL_ERR_VALUE, "CachedOp: flag '", key, "' must be a boolean, got '", v, "'");
}

constexpr size_t kCachedGraphs = 4;

}  // namespace

CachedOp::CachedOp(const symbol::Symbol& sym,
                   const std::vector<std::pair<std::string, std::string>>& flags)
    : sym_(sym) {
  MXL_CHECK(!sym.outputs.empty(), MXL_ERR_VALUE, "CachedOp: the symbol has no outputs");
  for (const auto& kv : flags) {
    const std::string& k = kv.first;
    if (k == "static_alloc") static_alloc_ = parse_flag_bool(k, kv.second);
    else if (k == "static_shape") static_shape_ = parse_flag_bool(k, kv.second);
    else if (k == "data_indices" || k == "param_indices" || k == "forward_bulk_size" ||
             k == "backward_bulk_size" || k == "inline_limit" || k == "is_dynamic")
      continue;  // accepted: the whole graph is planned and run the same way
    else
      throw_error(MXL_ERR_KEY, "CachedOp: unknown flag '", k,
                  "' (known: static_alloc, static_shape, data_indices, param_indices, "
                  "forward_bulk_size, backward_bulk_size, inline_limit)");
  }
  symbol::IndexedGraph g(sym_);
  num_inputs_ = g.input_nodes().size();
  for (size_t i = 0; i < num_inputs_; ++i)
    if (!g.is_mutable_input(g.input_nodes()[i])) arg_pos_.push_back(static_cast<uint32_t>(i));
}

CachedOp::Compiled& CachedOp::lookup(const std::vector<autograd::Value>& inputs, bool is_train,
                                     const std::vector<bool>& needs_grad) {
  std::ostringstream os;
  os << is_train << ';';
  for (bool b : needs_grad) os << b;
  for (const auto& v : inputs) os << ';' << v.arr.shape().str() << static_cast<int>(v.arr.dtype());
  const std::string key = os.str();
  for (auto it = cache_.begin(); it != cache_.end(); ++it) {
    if (it->key != key) continue;
    cache_.splice(cache_.begin(), cache_, it);
    return cache_.front();
  }
  std::vector<Shape> shapes;
  std::vector<DType> types;
  for (const auto& v : inputs) shapes.push_back(v.arr.shape()), types.push_back(v.arr.dtype());
  CompileOptions opt;
  opt.is_train = is_train;
  opt.needs_grad = needs_grad;
  opt.grad_external.assign(needs_grad.size(), true);
  Compiled c;
  c.key = key;
  c.cg = compile(sym_, shapes, types, opt);
  if (static_alloc_) c.state = std::make_shared<GraphState>(c.cg);
  cache_.push_front(std::move(c));
  if (cache_.size() > kCachedGraphs) cache_.pop_back();
  return cache_.front();
}

std::vector<autograd::Value> CachedOp::invoke(const std::vector<autograd::Value>& inputs) {
  std::lock_guard<std::mutex> lock(mu_);
  MXL_CHECK(inputs.size() == num_inputs_, MXL_ERR_VALUE, "CachedOp: expected ", num_inputs_,
            " inputs (the symbol's list_inputs), got ", inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    MXL_CHECK(!inputs[i].arr.is_none(), MXL_ERR_INVALID_HANDLE, "CachedOp: input ", i,
              " is empty");
  const bool is_train = autograd::thread_state().training;
  const bool recording = autograd::thread_state().recording;
  // Which arguments autograd wants gradients for.
  std::vector<bool> needs_grad;
  bool any = false;
  if (recording) {
    for (uint32_t pos : arg_pos_) {
      const bool tracked = static_cast<bool>(inputs[pos].entry);
      needs_grad.push_back(tracked);
      any |= tracked;
    }
  }
  if (!any) needs_grad.clear();
  Compiled* c = &lookup(inputs, is_train, needs_grad);
  std::shared_ptr<const CompiledGraph> cg = c->cg;
  std::shared_ptr<GraphState> state = c->state ? c->state : std::make_shared<GraphState>(cg);
  for (size_t i = 0; i < inputs.size(); ++i) state->set_entry(cg->input_entries[i], inputs[i].arr);
  std::vector<NDArray> outs;
  for (size_t k = 0; k < cg->output_entries.size(); ++k) {
    const uint32_t eid = cg->output_entries[k];
    // An entry listed twice (a block returning `y, [y]`) gets one fresh array:
    // a second allocation would leave the first returned array unwritten.
    bool seen = false;
    for (size_t j = 0; j < k; ++j) seen |= cg->output_entries[j] == eid;
    bool is_input = false;
    for (uint32_t ie : cg->input_entries) is_input |= ie == eid;
    if (!is_input && !seen) state->set_entry(eid, NDArray(cg->shapes[eid], cg->dtypes[eid]));
    outs.push_back(state->entry(eid));
  }
  state->run_forward(is_train);

  std::vector<autograd::Value> result(outs.size());
  for (size_t i = 0; i < outs.size(); ++i) result[i].arr = outs[i];
  if (any && cg->has_backward) {
    autograd::CustomBackward bw = [cg, state, is_train](const std::vector<NDArray>& og) {
      for (size_t i = 0; i < og.size() && i < cg->head_grad_entries.size(); ++i)
        if (cg->head_grad_entries[i] >= 0)
          state->set_entry(static_cast<uint32_t>(cg->head_grad_entries[i]), og[i]);
      for (size_t i = 0; i < cg->grad_entries.size(); ++i)
        if (cg->grad_bound[i]) {
          const uint32_t eid = static_cast<uint32_t>(cg->grad_entries[i]);
          state->set_entry(eid, NDArray(cg->shapes[eid], cg->dtypes[eid]));
        }
      state->run_backward(is_train);
      std::vector<NDArray> grads(cg->input_entries.size());
      for (size_t i = 0; i < cg->grad_entries.size(); ++i)
        if (cg->grad_entries[i] >= 0)
          grads[cg->arg_inputs[i]] = state->entry(static_cast<uint32_t>(cg->grad_entries[i]));
      return grads;
    };
    auto node = autograd::record_custom(inputs, outs, std::move(bw));
    for (size_t i = 0; i < result.size(); ++i) result[i].entry = autograd::Entry{node, static_cast<int>(i)};
  }
  return result;
}

int64_t CachedOp::planned_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cache_.empty() ? 0 : cache_.front().cg->plan.planned_bytes;
}

int64_t CachedOp::naive_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cache_.empty() ? 0 : cache_.front().cg->plan.naive_bytes;
}

int CachedOp::mirrored_nodes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cache_.empty() ? 0 : cache_.front().cg->mirrored_nodes;
}

}  // namespace exec
}  // namespace mxl
