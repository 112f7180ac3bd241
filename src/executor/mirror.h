// Gradient checkpointing (MXNet's "mirroring", DESIGN.md section 5): the
// backward pass recomputes cheap forward nodes from the values it keeps
// anyway instead of keeping their outputs alive from the forward pass, so
// the memory plan frees those outputs as soon as the forward is done with
// them.  Gradients are identical: the copies run the same ops on the same
// inputs.
//
// Cheap: ops that mutate no input, use no random generator (a recomputed
// Dropout would draw another mask) and are not in the heavy set
// (Convolution, Deconvolution, FullyConnected, dot, batch_dot, RNN,
// Embedding, softmax outputs).  BatchNorm mutates its moving statistics and
// is never recomputed.  Enabled for every cheap node by
// MXNET_BACKWARD_DO_MIRROR=1 (or the executor / CachedOp option), and per
// node by the attribute __force_mirroring__="True" (even without the env
// var, still only for cheap ops).
#pragma once
#include "executor/grad_graph.h"

namespace mxl {
namespace exec {

// True when a node of fg asks for mirroring (__force_mirroring__ = True).
bool has_forced_mirroring(const symbol::IndexedGraph& fg);
// MXNET_BACKWARD_DO_MIRROR from the environment.
bool mirror_from_env();

// Rewires the backward nodes of gg to read recomputed copies of cheap
// forward nodes (all cheap ones when `all`, otherwise the forced ones).
// Returns the number of copies made.
int mirror_forward_nodes(const symbol::IndexedGraph& fg, GradGraph* gg, bool all);

}  // namespace exec
}  // namespace mxl
