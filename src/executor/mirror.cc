#include "executor/mirror.h"

#include <cstdlib>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace mxl {
namespace exec {

using symbol::Node;
using symbol::NodeEntry;
using symbol::NodePtr;

namespace {

bool truthy(const std::string& v) { return v == "True" || v == "true" || v == "1"; }

bool is_batch_norm(const Node& n) { return !n.is_variable() && n.op->name == "BatchNorm"; }

bool cheap(const Node& n) {
  if (is_batch_norm(n)) return true;  // recomputed by bn_recompute_op
  if (n.is_variable() || n.op->needs_rng) return false;
  if (!n.op->mutate_inputs.empty() || n.op->mutate_input_fn) return false;
  static const std::unordered_set<std::string> heavy = {
      "Convolution", "Deconvolution", "FullyConnected", "dot", "batch_dot", "RNN", "Embedding",
      "SoftmaxOutput", "softmax", "log_softmax", "SoftmaxActivation"};
  return heavy.count(n.op->name) == 0;
}

bool forced(const Node& n) {
  auto it = n.attrs.find("__force_mirroring__");
  return it != n.attrs.end() && truthy(it->second);
}

}  // namespace

bool has_forced_mirroring(const symbol::IndexedGraph& fg) {
  for (uint32_t nid = 0; nid < fg.num_nodes(); ++nid)
    if (forced(fg.node(nid))) return true;
  return false;
}

bool mirror_from_env() {
  const char* v = std::getenv("MXNET_BACKWARD_DO_MIRROR");
  return v && truthy(v);
}

int mirror_forward_nodes(const symbol::IndexedGraph& fg, GradGraph* gg, bool all) {
  std::unordered_set<const Node*> forward;
  for (uint32_t nid = 0; nid < fg.num_nodes(); ++nid) forward.insert(&fg.node(nid));
  std::unordered_map<const Node*, NodePtr> copies;
  // Only BatchNorm's visible output is recomputed; its statistics are read
  // from the forward node.
  auto wanted_entry = [&](const NodeEntry& e) {
    const Node& n = *e.node;
    if (!forward.count(&n) || !cheap(n) || !(all || forced(n))) return false;
    return !is_batch_norm(n) || e.index == 0;
  };
  // The copy of a forward node, its own cheap inputs copied too, so a chain
  // of cheap ops is recomputed from the last value kept.
  std::function<NodePtr(const NodePtr&)> copy_of = [&](const NodePtr& src) -> NodePtr {
    auto it = copies.find(src.get());
    if (it != copies.end()) return it->second;
    auto c = std::make_shared<Node>(*src);
    c->name = src->name + "_mirror";
    c->control_deps.clear();
    if (is_batch_norm(*src)) {
      c->op = bn_recompute_op();
      c->inputs.resize(3);  // data, gamma, beta; then the saved statistics
      c->inputs.push_back(NodeEntry{src, 1, 0});
      c->inputs.push_back(NodeEntry{src, 2, 0});
    }
    for (size_t i = 0; i < 3 && i < c->inputs.size(); ++i) {
      NodeEntry& e = c->inputs[i];
      if (wanted_entry(e)) e.node = copy_of(e.node);
    }
    if (!is_batch_norm(*src))
      for (size_t i = 3; i < c->inputs.size(); ++i)
        if (wanted_entry(c->inputs[i])) c->inputs[i].node = copy_of(c->inputs[i].node);
    copies[src.get()] = c;
    return c;
  };
  // Every backward node reachable from the gradients.
  std::unordered_set<const Node*> seen;
  std::vector<NodePtr> stack;
  for (const auto& e : gg->arg_grads)
    if (e.node && !forward.count(e.node.get()) && seen.insert(e.node.get()).second)
      stack.push_back(e.node);
  while (!stack.empty()) {
    NodePtr n = stack.back();
    stack.pop_back();
    for (auto& e : n->inputs) {
      if (forward.count(e.node.get())) {
        if (wanted_entry(e)) e.node = copy_of(e.node);
      } else if (!copies.count(e.node.get()) && seen.insert(e.node.get()).second) {
        stack.push_back(e.node);
      }
    }
  }
  return static_cast<int>(copies.size());
}

}  // namespace exec
}  // namespace mxl
