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

bool cheap(const Node& n) {
  if (n.is_variable() || n.op->needs_rng) return false;
  if (!n.op->mutate_inputs.empty() || n.op->mutate_input_fn) return false;
  static const std::unordered_set<std::string> heavy = {
      "Convolution", "Deconvolution", "FullyConnected", "dot", "batch_dot", "RNN", "Embedding",
      "SoftmaxOutput", "softmax", "log_softmax", "SoftmaxActivation", "BatchNorm"};
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
  auto wanted = [&](const Node& n) { return cheap(n) && (all || forced(n)); };
  // The copy of a forward node, its own cheap inputs copied too, so a chain
  // of cheap ops is recomputed from the last value kept.
  std::function<NodePtr(const NodePtr&)> copy_of = [&](const NodePtr& src) -> NodePtr {
    auto it = copies.find(src.get());
    if (it != copies.end()) return it->second;
    auto c = std::make_shared<Node>(*src);
    c->name = src->name + "_mirror";
    c->control_deps.clear();
    for (auto& e : c->inputs)
      if (forward.count(e.node.get()) && wanted(*e.node)) e.node = copy_of(e.node);
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
        if (wanted(*e.node)) e.node = copy_of(e.node);
      } else if (!copies.count(e.node.get()) && seen.insert(e.node.get()).second) {
        stack.push_back(e.node);
      }
    }
  }
  return static_cast<int>(copies.size());
}

}  // namespace exec
}  // namespace mxl
