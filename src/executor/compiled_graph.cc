#include "executor/compiled_graph.h"

#include <unordered_map>

#include "autograd/state.h"
#include "executor/grad_graph.h"
#include "executor/mirror.h"
#include "imperative/invoke.h"
#include "symbol/infer.h"

namespace mxl {
namespace exec {

using symbol::IndexedGraph;
using symbol::Node;
using symbol::NodeEntry;
using symbol::Symbol;

namespace {

// Forward shapes and dtypes from the inputs' (symbolic inference: weights
// get their shapes from the data's, conflicts name the node).
void infer_forward(const IndexedGraph& g, const std::vector<Shape>& in_shapes,
                   const std::vector<DType>& in_types, std::vector<Shape>* shapes,
                   std::vector<DType>* dtypes) {
  const auto& inputs = g.input_nodes();
  MXL_CHECK(in_shapes.size() == inputs.size() && in_types.size() == inputs.size(), MXL_ERR_VALUE,
            "graph: ", in_shapes.size(), " input shapes given for ", inputs.size(), " inputs");
  std::vector<Shape> s(g.num_entries(), Shape::unknown());
  std::vector<int> t(g.num_entries(), -1);
  for (size_t i = 0; i < inputs.size(); ++i) {
    s[g.entry_id(inputs[i], 0)] = in_shapes[i];
    t[g.entry_id(inputs[i], 0)] = static_cast<int>(in_types[i]);
  }
  symbol::seed_shapes_from_attrs(g, &s);
  if (symbol::infer_shapes(g, &s) != 0) {
    std::string missing;
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!symbol::shape_complete(s[g.entry_id(inputs[i], 0)]))
        missing += (missing.empty() ? "" : ", ") + g.node(inputs[i]).name + "=" +
                   symbol::shape_text(s[g.entry_id(inputs[i], 0)]);
    throw_error(MXL_ERR_VALUE, "bind: could not infer the shapes of every array",
                missing.empty() ? std::string() : "; incomplete inputs: " + missing,
                " (give the shapes of these arguments)");
  }
  symbol::infer_types(g, &t);
  shapes->assign(s.begin(), s.end());
  dtypes->resize(t.size());
  for (size_t i = 0; i < t.size(); ++i) (*dtypes)[i] = t[i] < 0 ? DType::kFloat32 : static_cast<DType>(t[i]);
}

// Shapes of the backward nodes: each op's own inference from its complete
// inputs, the inference the invoke path repeats when it runs them.
void infer_backward(const CompiledGraph& cg, std::vector<Shape>* shapes,
                    std::vector<DType>* dtypes) {
  const IndexedGraph& g = *cg.graph;
  std::vector<Shape> in, out;
  std::vector<DType> tin, tout;
  for (uint32_t nid = cg.num_forward_nodes; nid < g.num_nodes(); ++nid) {
    const Node& n = g.node(nid);
    if (n.is_variable()) continue;  // head gradients: set by the caller
    in.clear(), tin.clear();
    for (const auto& e : g[nid].inputs) {
      in.push_back((*shapes)[g.entry_id(e)]);
      tin.push_back((*dtypes)[g.entry_id(e)]);
    }
    const int nout = n.num_outputs();
    out.assign(nout, Shape::unknown());
    tout.assign(nout, DType::kFloat32);
    if (n.op->infer_type) n.op->infer_type(*n.params, &tin, &tout);
    else infer_type_same(n.op->name, &tin, &tout);
    n.op->infer_shape(*n.params, &in, &out);
    for (int i = 0; i < nout; ++i) {
      (*shapes)[g.entry_id(nid, i)] = out[i];
      (*dtypes)[g.entry_id(nid, i)] = tout[i];
    }
  }
}

}  // namespace

std::shared_ptr<const CompiledGraph> compile(const Symbol& sym,
                                             const std::vector<Shape>& input_shapes,
                                             const std::vector<DType>& input_dtypes,
                                             const CompileOptions& opt) {
  auto cg = std::make_shared<CompiledGraph>();
  IndexedGraph fg(sym);
  std::vector<Shape> fshapes;
  std::vector<DType> ftypes;
  infer_forward(fg, input_shapes, input_dtypes, &fshapes, &ftypes);
  cg->num_forward_nodes = static_cast<uint32_t>(fg.num_nodes());
  cg->is_train = opt.is_train;

  bool any_grad = false;
  for (bool b : opt.needs_grad) any_grad |= b;
  GradGraph gg;
  Symbol full = sym;
  if (any_grad) {
    gg = build_grad_graph(fg, fshapes, ftypes, opt.needs_grad, opt.is_train);
    const bool all = opt.mirror || mirror_from_env();
    if (all || has_forced_mirroring(fg)) cg->mirrored_nodes = mirror_forward_nodes(fg, &gg, all);
    for (const auto& e : gg.arg_grads)
      if (e.node) full.outputs.push_back(e);
    cg->has_backward = full.outputs.size() > sym.outputs.size();
  }
  cg->symbol = full;
  cg->graph = std::make_unique<IndexedGraph>(full);
  const IndexedGraph& g = *cg->graph;
  // The DFS from the forward outputs comes first, so forward nodes keep
  // their ids and entries.
  MXL_CHECK(g.num_nodes() >= fg.num_nodes() && g.row_ptr()[fg.num_nodes()] == fg.num_entries(),
            MXL_ERR_RUNTIME, "internal: the gradient graph reordered the forward nodes");
  cg->shapes = fshapes;
  cg->dtypes = ftypes;
  cg->shapes.resize(g.num_entries(), Shape::unknown());
  cg->dtypes.resize(g.num_entries(), DType::kFloat32);

  for (uint32_t nid : fg.input_nodes()) cg->input_entries.push_back(g.entry_id(nid, 0));
  std::unordered_map<uint32_t, uint32_t> pos;  // node id -> index in input_nodes
  for (size_t i = 0; i < fg.input_nodes().size(); ++i) pos[fg.input_nodes()[i]] = static_cast<uint32_t>(i);
  for (uint32_t nid : fg.argument_nodes()) cg->arg_inputs.push_back(pos[nid]);
  for (uint32_t nid : fg.auxiliary_nodes()) cg->aux_inputs.push_back(pos[nid]);
  for (const auto& e : fg.outputs()) cg->output_entries.push_back(fg.entry_id(e));

  // Head gradients: variables of the gradient graph, shaped like their outputs.
  std::unordered_map<const Node*, uint32_t> ids;
  for (uint32_t nid = cg->num_forward_nodes; nid < g.num_nodes(); ++nid) ids[&g.node(nid)] = nid;
  cg->head_grad_entries.assign(cg->output_entries.size(), -1);
  for (size_t i = 0; i < gg.head_grads.size(); ++i) {
    auto it = ids.find(gg.head_grads[i].get());
    if (it == ids.end()) continue;
    const uint32_t eid = g.entry_id(it->second, 0);
    cg->head_grad_entries[i] = eid;
    cg->shapes[eid] = fshapes[cg->output_entries[i]];
    cg->dtypes[eid] = ftypes[cg->output_entries[i]];
  }
  infer_backward(*cg, &cg->shapes, &cg->dtypes);

  // Which entries the plan must leave alone.
  std::vector<char> external(g.num_entries(), 0);
  for (uint32_t nid : g.input_nodes()) external[g.entry_id(nid, 0)] = 1;
  for (uint32_t eid : cg->output_entries) external[eid] = 1;
  const size_t nargs = fg.argument_nodes().size();
  cg->grad_entries.assign(nargs, -1);
  cg->grad_bound.assign(nargs, false);
  size_t k = sym.outputs.size();
  for (size_t i = 0; i < gg.arg_grads.size(); ++i) {
    if (!gg.arg_grads[i].node) continue;
    cg->grad_entries[i] = g.entry_id(g.outputs()[k++]);
  }
  for (size_t i = 0; i < cg->grad_entries.size(); ++i) {
    const int64_t eid = cg->grad_entries[i];
    if (eid < 0 || i >= opt.grad_external.size() || !opt.grad_external[i]) continue;
    // Bound to the caller's buffer only when the entry is a backward op's
    // own output that nothing else claims.
    uint32_t nid = 0;
    while (g.row_ptr()[nid + 1] <= eid) ++nid;
    if (nid < cg->num_forward_nodes || g.node(nid).is_variable() || external[eid]) continue;
    bool shared = false;
    for (size_t j = 0; j < cg->grad_entries.size(); ++j) shared |= j != i && cg->grad_entries[j] == eid;
    if (shared) continue;
    external[eid] = 1;
    cg->grad_bound[i] = true;
  }
  cg->plan = plan_memory(g, cg->shapes, cg->dtypes, external, opt.plan);
  return cg;
}

void GraphState::set_entry(uint32_t eid, const NDArray& a) {
  MXL_CHECK(eid < table_.size(), MXL_ERR_RUNTIME, "internal: entry ", eid, " out of range");
  MXL_CHECK(a.shape() == cg_->shapes[eid] && a.dtype() == cg_->dtypes[eid], MXL_ERR_VALUE,
            "graph: an array of shape ", a.shape().str(), " ", dtype_name(a.dtype()),
            " was given where ", cg_->shapes[eid].str(), " ", dtype_name(cg_->dtypes[eid]),
            " is expected");
  table_[eid] = a;
}

const NDArray& GraphState::materialize(uint32_t eid) {
  NDArray& a = table_[eid];
  if (!a.is_none()) return a;
  const int b = cg_->plan.storage[eid];
  MXL_CHECK(b >= 0, MXL_ERR_RUNTIME, "internal: graph entry ", eid, " has no array");
  const DType t = cg_->plan.block_dtypes[b];
  if (blocks_[b].is_none())
    blocks_[b] = NDArray(Shape({cg_->plan.block_bytes[b] / dtype_size(t)}), t);
  // A view of the block's first elements: entries sharing a block share its
  // engine variable, which orders their reuse.
  a = blocks_[b].slice(0, cg_->shapes[eid].numel()).reshape(cg_->shapes[eid]);
  return a;
}

void GraphState::release_blocks() {
  for (size_t eid = 0; eid < table_.size(); ++eid)
    if (cg_->plan.storage[eid] >= 0) table_[eid] = NDArray();
  for (auto& b : blocks_) b = NDArray();
}

namespace {
// Recording off, training as asked, restored on every exit.
class ModeGuard {
 public:
  explicit ModeGuard(bool training) : saved_(autograd::thread_state()) {
    autograd::thread_state().recording = false;
    autograd::thread_state().training = training;
  }
  ~ModeGuard() { autograd::thread_state() = saved_; }

 private:
  autograd::ThreadState saved_;
};
}  // namespace

void GraphState::run(uint32_t begin, uint32_t end, bool is_train) {
  ModeGuard mode(is_train);
  const IndexedGraph& g = *cg_->graph;
  for (uint32_t nid = begin; nid < end; ++nid) {
    const Node& n = g.node(nid);
    if (n.is_variable()) continue;
    ins_.clear(), outs_.clear();
    for (const auto& e : g[nid].inputs) {
      const NDArray& a = materialize(g.entry_id(e));
      ins_.push_back(a);
    }
    const int nout = n.num_outputs();
    for (int i = 0; i < nout; ++i) outs_.push_back(materialize(g.entry_id(nid, i)));
    try {
      imperative::invoke(n.op, n.params, ins_, &outs_);
    } catch (const Error& e) {
      throw Error(e.kind(), "Error in operator " + n.name + ": " + e.what());
    }
  }
  ins_.clear(), outs_.clear();
}

}  // namespace exec
}  // namespace mxl
