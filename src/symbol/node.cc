// Node helpers, the DFS order, automatic names and MXNet's attribute keys.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "symbol/symbol.h"

namespace mxl {
namespace symbol {

int Node::num_outputs() const { return op ? op->num_outputs(*params) : 1; }

int Node::num_visible_outputs() const { return op ? op->num_visible_outputs(*params) : 1; }

std::vector<std::string> Node::input_names() const {
  if (!op) return {};
  int n = op->num_inputs(*params);
  if (n < 0) n = static_cast<int>(inputs.size());  // variadic without a count parameter
  // Variadic ops number their inputs, as MXNet's Concat lists arg0, arg1, ...
  std::vector<std::string> names;
  if (!op->variadic_inputs) names = op->list_input_names(*params);
  names.resize(std::min<size_t>(names.size(), n));  // FullyConnected without bias: 2 of 3
  for (int i = static_cast<int>(names.size()); i < n; ++i) names.push_back("arg" + std::to_string(i));
  return names;
}

std::string Node::output_name(int i) const {
  if (op && i < static_cast<int>(op->output_names.size())) return op->output_names[i];
  return num_outputs() == 1 ? "output" : "output" + std::to_string(i);
}

namespace {
bool is_dunder(const std::string& k) {
  return k.size() > 4 && k.compare(0, 2, "__") == 0 && k.compare(k.size() - 2, 2, "__") == 0;
}
}  // namespace

void Node::parse_params() {
  auto p = std::make_shared<Params>(op);
  try {
    for (const auto& kv : attrs)
      if (!is_dunder(kv.first)) p->set(kv.first, kv.second);
    p->check_required();
  } catch (const Error& e) {
    throw Error(e.kind(), "Error in operator " + name + ": " + e.what());
  }
  params = std::move(p);
}

void dfs_visit(const std::vector<NodeEntry>& heads, const std::function<void(const NodePtr&)>& fn) {
  std::unordered_set<const Node*> seen;
  std::vector<std::pair<NodePtr, size_t>> stack;  // node, next child to look at
  for (const NodeEntry& h : heads) {
    if (!h.node || !seen.insert(h.node.get()).second) continue;
    stack.emplace_back(h.node, 0);
    while (!stack.empty()) {
      Node* n = stack.back().first.get();
      size_t& next = stack.back().second;
      const size_t nin = n->inputs.size();
      if (next < nin + n->control_deps.size()) {
        NodePtr child = next < nin ? n->inputs[next].node : n->control_deps[next - nin];
        ++next;
        if (seen.insert(child.get()).second) stack.emplace_back(std::move(child), 0);
      } else {
        NodePtr done = std::move(stack.back().first);
        stack.pop_back();
        fn(done);
      }
    }
  }
}

namespace {
thread_local std::unordered_map<std::string, int> name_counters;

// MXNet's shorthand attribute keys (stored as __key__).
const char* const kHiddenKeys[] = {"ctx_group", "lr_mult", "wd_mult", "force_mirroring",
                                   "mirror_stage"};
}  // namespace

std::string auto_name(const std::string& hint) {
  int& c = name_counters[hint];
  return hint + std::to_string(c++);
}

void reset_auto_names() { name_counters.clear(); }

std::string canonical_attr_key(const std::string& key) {
  for (const char* k : kHiddenKeys) {
    const std::string hk = k;
    if (key == hk) return "__" + hk + "__";
    if (key.size() > hk.size() + 1 && key.compare(key.size() - hk.size(), hk.size(), hk) == 0 &&
        key[key.size() - hk.size() - 1] == '_')
      throw_error(MXL_ERR_VALUE, "setting variable attributes with '", key,
                  "' is deprecated (as in MXNet); set ", hk, " on the variable instead: w = ",
                  "Variable(..., ", hk, "=...) and pass it as input '",
                  key.substr(0, key.size() - hk.size() - 1), "'");
  }
  return key;
}

}  // namespace symbol
}  // namespace mxl
