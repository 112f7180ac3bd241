#include "symbol/indexed_graph.h"

namespace mxl {
namespace symbol {

IndexedGraph::IndexedGraph(const Symbol& s) {
  dfs_visit(s.outputs, [&](const NodePtr& n) {
    const uint32_t nid = static_cast<uint32_t>(nodes_.size());
    ids_[n.get()] = nid;
    owned_.push_back(n);
    NodeInfo info;
    info.node = n.get();
    for (const auto& e : n->inputs) info.inputs.push_back(Entry{ids_.at(e.node.get()), e.index, e.version});
    for (const auto& d : n->control_deps) info.control_deps.push_back(ids_.at(d.get()));
    nodes_.push_back(std::move(info));
  });
  row_ptr_.assign(1, 0);
  mutable_.assign(nodes_.size(), false);
  for (uint32_t nid = 0; nid < nodes_.size(); ++nid) {
    const Node& n = *nodes_[nid].node;
    row_ptr_.push_back(row_ptr_.back() + static_cast<uint32_t>(n.num_outputs()));
    if (n.is_variable()) {
      input_nodes_.push_back(nid);
      continue;
    }
    for (int m : n.op->mutate_inputs)
      if (m < static_cast<int>(nodes_[nid].inputs.size())) mutable_[nodes_[nid].inputs[m].node] = true;
  }
  for (uint32_t nid : input_nodes_) (mutable_[nid] ? auxiliary_nodes_ : argument_nodes_).push_back(nid);
  for (const auto& e : s.outputs) outputs_.push_back(Entry{ids_.at(e.node.get()), e.index, e.version});
}

uint32_t IndexedGraph::node_id(const Node* n) const {
  auto it = ids_.find(n);
  MXL_CHECK(it != ids_.end(), MXL_ERR_VALUE, "graph: node '", n ? n->name : "(null)",
            "' is not part of this graph");
  return it->second;
}

}  // namespace symbol
}  // namespace mxl
