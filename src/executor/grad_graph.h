// The symbolic gradient pass (DESIGN.md sections 4 and 5): a second
// GradBuilder, next to autograd's eager one, whose ops become graph nodes
// instead of running.  Every op's registered gradient therefore builds the
// backward graph of executors and CachedOp exactly as it drives eager
// autograd: one gradient definition serves both.
#pragma once
#include <vector>

#include "autograd/gradient.h"
#include "symbol/indexed_graph.h"

namespace mxl {
namespace exec {

// GradBuilder whose values are graph entries with known shapes and dtypes.
class SymbolicBuilder : public GradBuilder {
 public:
  // prefix names the nodes this builder creates ("<prefix>_backward3").
  explicit SymbolicBuilder(std::string prefix) : prefix_(std::move(prefix)) {}
  GradValue add(const symbol::NodeEntry& e, const Shape& s, DType t);
  const symbol::NodeEntry& entry(GradValue v) const;

  std::vector<GradValue> apply(const std::string& op, const std::vector<GradValue>& inputs,
                               const Attrs& attrs) override;
  Shape shape(GradValue v) const override;
  DType dtype(GradValue v) const override;

 private:
  struct Val {
    symbol::NodeEntry e;
    Shape shape;
    DType dtype;
  };
  std::vector<Val> vals_;
  std::string prefix_;
  int counter_ = 0;
};

// The forward graph plus its gradient.
struct GradGraph {
  // One variable per forward output receiving that output's gradient
  // ("<output name>_head_grad").
  std::vector<symbol::NodePtr> head_grads;
  // One per argument (list_arguments order); node == nullptr when the
  // argument gets no gradient (not requested, or nothing flows to it).
  std::vector<symbol::NodeEntry> arg_grads;
};

// Builds the backward graph of g (a forward graph) for the arguments whose
// needs_grad entry is set (one per g.argument_nodes()).  shapes / dtypes:
// one per entry of g, complete.  is_train: the forward's training mode
// (BatchNorm's gradient differs).  Multiple gradient contributions to one
// entry are summed with add_n.  Throws VALUE for an op without gradient on
// a path that needs one.
GradGraph build_grad_graph(const symbol::IndexedGraph& g, const std::vector<Shape>& shapes,
                           const std::vector<DType>& dtypes, const std::vector<bool>& needs_grad,
                           bool is_train);

}  // namespace exec
}  // namespace mxl
