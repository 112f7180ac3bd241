// CachedOp (DESIGN.md section 5): a symbol compiled once and invoked like
// one op.  Inputs come in the symbol's list_inputs order (arguments and
// auxiliary states as the graph meets them, MXNet's convention).  While
// autograd records and an argument is tracked, the call is recorded as ONE
// tape node whose backward runs the planned gradient graph; the forward
// keeps exactly the values that backward needs (the memory plan decides).
//
// Flags (MXNet's): static_alloc keeps the planned blocks across calls
// (no allocation per call; a second forward reuses the memory of the
// first, so backward the recorded call before running it again);
// static_shape promises fixed input shapes.  A call with other shapes is
// compiled again either way (a few compiled graphs are kept).
// data_indices / param_indices are accepted for Gluon's sake.
#pragma once
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "autograd/tape.h"
#include "executor/compiled_graph.h"

namespace mxl {
namespace exec {

class CachedOp {
 public:
  // flags: (key, value) in MXNet's text form ("static_alloc" = "true").
  // Throws KEY for an unknown flag, VALUE for a bad value.
  CachedOp(const symbol::Symbol& sym,
           const std::vector<std::pair<std::string, std::string>>& flags);

  size_t num_inputs() const { return num_inputs_; }
  size_t num_outputs() const { return sym_.outputs.size(); }
  // Runs the graph; returns the outputs (fresh arrays) with their tape
  // entries (empty when the call was not recorded).  Uses autograd's
  // thread state: training mode for the kernels, recording for the tape.
  std::vector<autograd::Value> invoke(const std::vector<autograd::Value>& inputs);

  // The memory plan of the most recent call's graph (0 before any call).
  int64_t planned_bytes() const;
  int64_t naive_bytes() const;
  int mirrored_nodes() const;
  const symbol::Symbol& symbol() const { return sym_; }

 private:
  struct Compiled {
    std::string key;
    std::shared_ptr<const CompiledGraph> cg;
    std::shared_ptr<GraphState> state;  // static_alloc: reused by every call
  };
  Compiled& lookup(const std::vector<autograd::Value>& inputs, bool is_train,
                   const std::vector<bool>& needs_grad);

  symbol::Symbol sym_;
  size_t num_inputs_ = 0;
  std::vector<uint32_t> arg_pos_;  // per argument: its position among the inputs
  bool static_alloc_ = false, static_shape_ = false;
  std::list<Compiled> cache_;  // most recent first
  mutable std::mutex mu_;
};

}  // namespace exec
}  // namespace mxl
