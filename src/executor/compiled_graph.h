// A graph ready to run: the forward graph, optionally its gradient graph
// (one graph, forward nodes first), complete shapes and dtypes, and a memory
// plan.  Executors (bind / simple_bind) and CachedOp are both built on it;
// GraphState holds the arrays of one run and runs node ranges through the
// eager invoke path (imperative::invoke), so kernels, the engine and error
// reporting are the ones eager ops use.
#pragma once
#include <memory>
#include <vector>

#include "executor/memory_plan.h"
#include "symbol/indexed_graph.h"

namespace mxl {
namespace exec {

struct CompileOptions {
  // One per argument (list_arguments order); empty or all false: no
  // gradient graph (inference only).
  std::vector<bool> needs_grad;
  // Per argument: its gradient entry is stored straight into memory the
  // caller provides (GraphState::set_entry) instead of planned memory.
  std::vector<bool> grad_external;
  bool is_train = true;  // the forward mode the gradient is built for
  PlanOptions plan = PlanOptions::from_env();
  // Gradient checkpointing (MXNet's mirroring, executor/mirror.h):
  // recompute cheap forward nodes in the backward pass.  Also on with
  // MXNET_BACKWARD_DO_MIRROR=1; nodes with __force_mirroring__="True" are
  // recomputed whatever this says.
  bool mirror = false;
};

struct CompiledGraph {
  symbol::Symbol symbol;  // outputs: the forward outputs, then the gradients
  std::unique_ptr<symbol::IndexedGraph> graph;
  uint32_t num_forward_nodes = 0;  // nodes [0, n) are the forward pass
  bool has_backward = false;
  bool is_train = true;
  std::vector<Shape> shapes;  // per entry
  std::vector<DType> dtypes;
  std::vector<uint32_t> input_entries;   // per forward variable (list_inputs order)
  std::vector<uint32_t> arg_inputs;      // per argument: index into input_entries
  std::vector<uint32_t> aux_inputs;      // per auxiliary state: index into input_entries
  std::vector<uint32_t> output_entries;  // per forward output
  std::vector<int64_t> head_grad_entries;  // per forward output; -1: its gradient is unused
  std::vector<int64_t> grad_entries;       // per argument; -1: no gradient
  std::vector<bool> grad_bound;            // per argument: the entry is external (see options)
  int mirrored_nodes = 0;                  // forward nodes recomputed in backward
  MemoryPlan plan;
};

// Compiles sym for inputs of these shapes and dtypes (one per variable, in
// list_inputs order).  Throws VALUE naming the node when shapes conflict
// or stay incomplete, TYPE for dtypes.
std::shared_ptr<const CompiledGraph> compile(const symbol::Symbol& sym,
                                             const std::vector<Shape>& input_shapes,
                                             const std::vector<DType>& input_dtypes,
                                             const CompileOptions& opt);

// The arrays of one run of a compiled graph.  Planned entries are views of
// blocks allocated on first use (a backward-only block is not allocated by
// the forward pass); external entries are set by the owner.
class GraphState {
 public:
  explicit GraphState(std::shared_ptr<const CompiledGraph> cg) : cg_(std::move(cg)) {
    table_.resize(cg_->graph->num_entries());
    blocks_.resize(cg_->plan.block_bytes.size());
  }
  const CompiledGraph& compiled() const { return *cg_; }
  void set_entry(uint32_t eid, const NDArray& a);
  const NDArray& entry(uint32_t eid) const { return table_[eid]; }
  // Runs nodes [begin, end) with autograd's training flag set to is_train
  // (recording off).  Kernel errors surface at sync points as for eager ops.
  void run(uint32_t begin, uint32_t end, bool is_train);
  void run_forward(bool is_train) { run(0, cg_->num_forward_nodes, is_train); }
  void run_backward(bool is_train) {
    run(cg_->num_forward_nodes, static_cast<uint32_t>(cg_->graph->num_nodes()), is_train);
  }
  // Drops every planned block (they return to the pool once pending ops
  // finish); external entries stay.
  void release_blocks();

 private:
  const NDArray& materialize(uint32_t eid);

  std::shared_ptr<const CompiledGraph> cg_;
  std::vector<NDArray> table_;   // per entry
  std::vector<NDArray> blocks_;  // per planned block
  std::vector<NDArray> ins_, outs_;
};

}  // namespace exec
}  // namespace mxl
