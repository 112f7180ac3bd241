// Static memory planning for a graph run in node order (DESIGN.md section 5).
//
// Every entry (node output) the graph owns gets a storage block id; entries
// whose storage comes from outside (variables, the graph's outputs,
// gradient buffers) are "external" and never planned, so arguments and
// arrays the caller holds are never overwritten.  The planner walks the
// nodes in execution order with reference counts:
//  1. in-place: an output takes the block of an input along a declared
//     in-place pair (registry add_inplace) when this node is that input's
//     last reader and the two have the same shape and dtype;
//  2. otherwise the smallest free block of the same dtype that is large
//     enough is reused, or
//     the largest free block grows (never more bytes than a new block);
//  3. otherwise a new block.
// An input's block is freed after the node's outputs are placed, so an op
// never writes a block it is still reading (except the in-place pairs).
// Correctness under the asynchronous engine needs nothing more: entries
// sharing a block share its engine variable, which orders the reuse.
#pragma once
#include <cstdint>
#include <vector>

#include "symbol/indexed_graph.h"

namespace mxl {
namespace exec {

struct PlanOptions {
  bool enable = true;   // false: every entry its own block (the naive plan)
  bool inplace = true;  // in-place reuse along declared pairs
  // From the environment: MXL_MEMORY_PLAN=0 disables planning,
  // MXNET_EXEC_ENABLE_INPLACE=0 disables in-place reuse (MXNet's switch).
  static PlanOptions from_env();
};

struct MemoryPlan {
  std::vector<int> storage;           // per entry: block id, -1 when external
  std::vector<int64_t> block_bytes;   // per block (a multiple of its dtype's size)
  std::vector<DType> block_dtypes;    // per block: reused only by entries of this dtype
  int64_t planned_bytes = 0;          // sum of block_bytes
  int64_t naive_bytes = 0;            // every planned entry in its own block
  int inplace_count = 0;              // outputs that took an input's block
};

// external: one flag per entry of g.  shapes / dtypes: complete, per entry.
MemoryPlan plan_memory(const symbol::IndexedGraph& g, const std::vector<Shape>& shapes,
                       const std::vector<DType>& dtypes, const std::vector<char>& external,
                       const PlanOptions& opt);

}  // namespace exec
}  // namespace mxl
