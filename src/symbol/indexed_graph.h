// A Symbol's graph with integer ids: what passes and executors walk.
//
// Nodes are numbered in MXNet's DFS order (inputs first; also the node order
// of its JSON).  Every output of every node, hidden ones included, is an
// "entry" with a dense id: entry_id(node, i) = row_ptr[node] + i, so a pass
// keeps per-entry facts (shapes, dtypes, storage, reference counts) in flat
// vectors.  The graph holds references to the nodes, so it stays valid
// while the Symbol it came from changes or goes away.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "symbol/symbol.h"

namespace mxl {
namespace symbol {

class IndexedGraph {
 public:
  struct Entry {
    uint32_t node = 0;   // node id
    uint32_t index = 0;  // output index
    uint32_t version = 0;
  };
  struct NodeInfo {
    const Node* node = nullptr;
    std::vector<Entry> inputs;
    std::vector<uint32_t> control_deps;  // node ids
  };

  explicit IndexedGraph(const Symbol& s);

  size_t num_nodes() const { return nodes_.size(); }
  size_t num_entries() const { return row_ptr_.back(); }
  const NodeInfo& operator[](uint32_t nid) const { return nodes_[nid]; }
  const Node& node(uint32_t nid) const { return *nodes_[nid].node; }
  // The shared pointer behind node(nid), for passes that link new nodes to
  // this graph's (the symbolic gradient).
  const NodePtr& node_ptr(uint32_t nid) const { return owned_[nid]; }
  // Id of a node of this graph (throws for a foreign node).
  uint32_t node_id(const Node* n) const;
  uint32_t entry_id(uint32_t nid, uint32_t index) const { return row_ptr_[nid] + index; }
  uint32_t entry_id(const Entry& e) const { return row_ptr_[e.node] + e.index; }
  // Cumulative output counts, size num_nodes() + 1 (MXNet's node_row_ptr).
  const std::vector<uint32_t>& row_ptr() const { return row_ptr_; }

  // Variable nodes in DFS order (MXNet's arg_nodes: arguments and
  // auxiliary states).
  const std::vector<uint32_t>& input_nodes() const { return input_nodes_; }
  // Variables some op writes (auxiliary states), as node ids.
  bool is_mutable_input(uint32_t nid) const { return mutable_[nid]; }
  // Ids into input_nodes() split like list_arguments / list_auxiliary_states.
  const std::vector<uint32_t>& argument_nodes() const { return argument_nodes_; }
  const std::vector<uint32_t>& auxiliary_nodes() const { return auxiliary_nodes_; }
  // The graph's outputs (the Symbol's heads).
  const std::vector<Entry>& outputs() const { return outputs_; }

 private:
  std::vector<NodePtr> owned_;  // keeps the nodes alive
  std::vector<NodeInfo> nodes_;
  std::vector<uint32_t> row_ptr_;
  std::vector<uint32_t> input_nodes_, argument_nodes_, auxiliary_nodes_;
  std::vector<bool> mutable_;
  std::vector<Entry> outputs_;
  std::unordered_map<const Node*, uint32_t> ids_;
};

}  // namespace symbol
}  // namespace mxl
