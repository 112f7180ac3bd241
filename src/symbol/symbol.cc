// Symbol composition and queries (MXNet's nnvm::Symbol semantics).
#include "symbol/symbol.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace mxl {
namespace symbol {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

const NodeEntry& single_output(const Symbol& s, const std::string& op, const std::string& arg) {
  MXL_CHECK(!s.outputs.empty(), MXL_ERR_VALUE, op_error_prefix(op, arg), " is an empty symbol");
  MXL_CHECK(s.outputs.size() == 1, MXL_ERR_VALUE, op_error_prefix(op, arg), " is a group of ",
            s.outputs.size(), " outputs; a single output is required (index it first)");
  return s.outputs[0];
}

// Initial values MXNet attaches to the moving statistics of batch
// normalization when they are created by composition (its
// FSetInputVarAttrOnCompose): input index -> __init__ text.
void set_input_var_attrs(Node* n) {
  static const std::unordered_map<std::string, std::vector<std::pair<int, const char*>>> table = {
      {"BatchNorm", {{3, "[\"zero\", {}]"}, {4, "[\"one\", {}]"}}},
      {"_contrib_SyncBatchNorm", {{3, "[\"zero\", {}]"}, {4, "[\"one\", {}]"}}},
  };
  auto it = table.find(n->op->name);
  if (it == table.end()) return;
  for (const auto& [idx, init] : it->second) {
    if (idx >= static_cast<int>(n->inputs.size())) continue;
    Node* v = n->inputs[idx].node.get();
    if (v->is_variable() && !v->attrs.count("__init__")) v->attrs["__init__"] = init;
  }
}

// Records which version of each variable the node reads, and bumps the
// variables the op writes (MXNet orders mutations by these versions).
void update_versions(Node* n) {
  for (NodeEntry& e : n->inputs)
    if (e.node->is_variable()) e.version = e.node->version;
  for (int m : n->op->mutate_inputs) {
    if (m >= static_cast<int>(n->inputs.size())) continue;
    NodeEntry& e = n->inputs[m];
    MXL_CHECK(e.node->is_variable(), MXL_ERR_VALUE, "Operator ", n->op->name, " (", n->name,
              "): input '", n->input_names()[m], "' is updated in place by the operator, so it "
              "must be a variable, but it is an output of '", e.node->name, "'");
    e.version = ++e.node->version;
  }
}

}  // namespace

Symbol Symbol::variable(const std::string& name) {
  auto n = std::make_shared<Node>();
  n->name = name;
  Symbol s;
  s.outputs.push_back(NodeEntry{std::move(n), 0, 0});
  return s;
}

Symbol Symbol::create(const OpDef* op, const AttrList& attrs, const std::vector<Symbol>& args,
                      const std::vector<std::pair<std::string, Symbol>>& kwargs,
                      const std::string& name) {
  MXL_CHECK(op, MXL_ERR_INVALID_HANDLE, "symbol: operator is NULL");
  auto n = std::make_shared<Node>();
  n->op = op;
  n->name = name.empty() ? auto_name(lower(op->name)) : name;
  for (const auto& kv : attrs) n->attrs[canonical_attr_key(kv.first)] = kv.second;
  // Variadic ops count their inputs in a parameter (Concat's num_args);
  // MXNet's frontends fill it in when the caller did not.
  if (!op->num_inputs_param.empty() && !n->attrs.count(op->num_inputs_param))
    n->attrs[op->num_inputs_param] = std::to_string(args.size() + kwargs.size());
  n->parse_params();

  const int required = op->num_inputs(*n->params);
  if (required < 0) {
    MXL_CHECK(kwargs.empty(), MXL_ERR_TYPE, "Operator ", op->name,
              " takes a variable number of inputs: pass them positionally, not by keyword ('",
              kwargs[0].first, "')");
    MXL_CHECK(!args.empty(), MXL_ERR_VALUE, "Operator ", op->name, ": expected at least 1 input, got 0");
    for (size_t i = 0; i < args.size(); ++i)
      n->inputs.push_back(single_output(args[i], op->name, "arg" + std::to_string(i)));
  } else {
    const std::vector<std::string> names = n->input_names();
    MXL_CHECK(args.size() <= static_cast<size_t>(required), MXL_ERR_VALUE, "Operator ", op->name,
              ": takes ", required, " input", required == 1 ? "" : "s", " (", join(names),
              "), got ", args.size(), " positional");
    std::vector<bool> filled(required, false);
    n->inputs.resize(required);
    for (size_t i = 0; i < args.size(); ++i) {
      n->inputs[i] = single_output(args[i], op->name, names[i]);
      filled[i] = true;
    }
    for (const auto& [key, sym] : kwargs) {
      auto it = std::find(names.begin(), names.end(), key);
      MXL_CHECK(it != names.end(), MXL_ERR_KEY, "Operator ", op->name, ": keyword argument '", key,
                "' is not an input; the inputs are: ", names.empty() ? "(none)" : join(names));
      const size_t i = it - names.begin();
      MXL_CHECK(!filled[i], MXL_ERR_VALUE, op_error_prefix(op->name, key),
                " is given twice (positionally and by keyword)");
      n->inputs[i] = single_output(sym, op->name, key);
      filled[i] = true;
    }
    for (int i = 0; i < required; ++i) {
      if (filled[i]) continue;
      // Missing inputs become variables named after the node (fc1_weight),
      // with a copy of its attributes, as MXNet creates them.
      Symbol v = variable(n->name + "_" + names[i]);
      v.outputs[0].node->attrs = n->attrs;
      n->inputs[i] = v.outputs[0];
    }
  }
  update_versions(n.get());
  set_input_var_attrs(n.get());

  Symbol s;
  const int nvis = n->num_visible_outputs();
  for (int i = 0; i < nvis; ++i) s.outputs.push_back(NodeEntry{n, static_cast<uint32_t>(i), 0});
  return s;
}

Symbol Symbol::group(const std::vector<Symbol>& symbols) {
  Symbol s;
  for (const auto& x : symbols) s.outputs.insert(s.outputs.end(), x.outputs.begin(), x.outputs.end());
  return s;
}

Symbol Symbol::output(size_t i) const {
  MXL_CHECK(i < outputs.size(), MXL_ERR_INDEX, "symbol: output index ", i,
            " is out of range: the symbol has ", outputs.size(), " output",
            outputs.size() == 1 ? "" : "s");
  Symbol s;
  s.outputs.push_back(outputs[i]);
  return s;
}

Symbol Symbol::internals() const {
  Symbol s;
  dfs_visit(outputs, [&](const NodePtr& n) {
    if (n->is_variable()) {
      s.outputs.push_back(NodeEntry{n, 0, n->version});
      return;
    }
    const int nvis = n->num_visible_outputs();
    for (int i = 0; i < nvis; ++i) s.outputs.push_back(NodeEntry{n, static_cast<uint32_t>(i), 0});
  });
  return s;
}

Symbol Symbol::children() const {
  Symbol s;
  std::unordered_set<const Node*> seen;
  for (const auto& e : outputs) {
    if (!seen.insert(e.node.get()).second) continue;
    s.outputs.insert(s.outputs.end(), e.node->inputs.begin(), e.node->inputs.end());
  }
  return s;
}

Symbol Symbol::copy() const {
  std::unordered_map<const Node*, NodePtr> fresh;
  dfs_visit(outputs, [&](const NodePtr& n) {
    auto c = std::make_shared<Node>();
    c->op = n->op;
    c->name = n->name;
    c->attrs = n->attrs;
    c->params = n->params;  // immutable once parsed
    c->version = n->version;
    for (const auto& e : n->inputs) c->inputs.push_back(NodeEntry{fresh.at(e.node.get()), e.index, e.version});
    for (const auto& d : n->control_deps) c->control_deps.push_back(fresh.at(d.get()));
    fresh[n.get()] = std::move(c);
  });
  Symbol s;
  for (const auto& e : outputs) s.outputs.push_back(NodeEntry{fresh.at(e.node.get()), e.index, e.version});
  return s;
}

Symbol Symbol::compose(const std::vector<Symbol>& args,
                       const std::vector<std::pair<std::string, Symbol>>& kwargs,
                       const std::string& name) const {
  MXL_CHECK(args.empty() || kwargs.empty(), MXL_ERR_TYPE,
            "symbol compose: pass inputs either positionally or by keyword, not both");
  MXL_CHECK(!outputs.empty(), MXL_ERR_VALUE, "symbol compose: the symbol is empty");
  Symbol s = copy();
  const std::vector<NodePtr> vars = s.list_input_nodes(InputKind::kAll);
  MXL_CHECK(args.size() <= vars.size(), MXL_ERR_VALUE, "symbol compose: ", args.size(),
            " positional inputs given but the symbol has ", vars.size(), " variables");
  std::unordered_map<const Node*, NodeEntry> replace;
  for (size_t i = 0; i < args.size(); ++i)
    replace[vars[i].get()] = single_output(args[i], "compose", vars[i]->name);
  for (const auto& [key, sym] : kwargs) {
    bool matched = false;
    for (const auto& v : vars)
      if (v->name == key) {
        replace[v.get()] = single_output(sym, "compose", key);
        matched = true;
      }
    if (!matched) {
      std::vector<std::string> names;
      for (const auto& v : vars) names.push_back(v->name);
      throw_error(MXL_ERR_KEY, "symbol compose: keyword argument '", key,
                  "' is not a variable of the symbol; its variables are: ", join(names));
    }
  }
  std::vector<Node*> touched;
  dfs_visit(s.outputs, [&](const NodePtr& n) {
    bool hit = false;
    for (auto& e : n->inputs) {
      auto it = replace.find(e.node.get());
      if (it != replace.end()) {
        e = it->second;
        hit = true;
      }
    }
    if (hit) touched.push_back(n.get());
  });
  for (Node* n : touched) update_versions(n);
  for (auto& e : s.outputs) {
    auto it = replace.find(e.node.get());
    if (it != replace.end()) e = it->second;
  }
  if (!name.empty()) s.outputs[0].node->name = name;
  return s;
}

std::vector<NodePtr> Symbol::list_input_nodes(InputKind kind) const {
  std::vector<NodePtr> vars;
  std::unordered_set<const Node*> mutated;
  dfs_visit(outputs, [&](const NodePtr& n) {
    if (n->is_variable()) {
      vars.push_back(n);
      return;
    }
    for (int m : n->op->mutate_inputs)
      if (m < static_cast<int>(n->inputs.size())) mutated.insert(n->inputs[m].node.get());
  });
  if (kind == InputKind::kAll) return vars;
  std::vector<NodePtr> out;
  for (auto& v : vars)
    if ((kind == InputKind::kAuxiliary) == (mutated.count(v.get()) != 0)) out.push_back(v);
  return out;
}

std::vector<std::string> Symbol::list_inputs(InputKind kind) const {
  std::vector<std::string> names;
  for (const auto& n : list_input_nodes(kind)) names.push_back(n->name);
  return names;
}

std::vector<std::string> Symbol::list_outputs() const {
  std::vector<std::string> names;
  for (const auto& e : outputs) {
    if (e.node->is_variable()) {
      names.push_back(e.node->name);
      continue;
    }
    const std::string suffix = e.node->output_name(static_cast<int>(e.index));
    names.push_back(e.node->name.empty() ? suffix : e.node->name + "_" + suffix);
  }
  return names;
}

namespace {
// The node all outputs come from, or nullptr for a group of several nodes.
Node* head_node(const std::vector<NodeEntry>& outputs) {
  if (outputs.empty()) return nullptr;
  Node* n = outputs[0].node.get();
  for (const auto& e : outputs)
    if (e.node.get() != n) return nullptr;
  return n;
}

const char* const kShortKeys[] = {"ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage"};

// "__lr_mult__" -> "lr_mult"; "" for keys that have no short form.
std::string short_form(const std::string& key) {
  for (const char* k : kShortKeys)
    if (key == std::string("__") + k + "__") return k;
  return "";
}
}  // namespace

bool Symbol::get_attr(const std::string& key, std::string* out) const {
  Node* n = head_node(outputs);
  if (!n) return false;
  if (key == "name") {
    *out = n->name;
    return true;
  }
  auto it = n->attrs.find(key);
  if (it == n->attrs.end()) {
    for (const char* k : kShortKeys)
      if (key == k) it = n->attrs.find("__" + key + "__");
  }
  if (it == n->attrs.end()) return false;
  *out = it->second;
  return true;
}

void Symbol::set_attr(const std::string& key, const std::string& value) {
  Node* n = head_node(outputs);
  MXL_CHECK(n, MXL_ERR_VALUE, "symbol: attributes can only be set on a symbol with a single "
            "head node, not on a group of ", outputs.size(), " outputs");
  if (key == "name") {
    n->name = value;
    return;
  }
  const std::string k = canonical_attr_key(key);
  if (!n->op) {
    n->attrs[k] = value;
    return;
  }
  // An op parameter changes what the node computes: parse again, and keep
  // the old state if the new value is rejected.
  auto saved = n->attrs;
  n->attrs[k] = value;
  try {
    n->parse_params();
  } catch (...) {
    n->attrs.swap(saved);
    throw;
  }
}

AttrList Symbol::list_attr() const {
  AttrList out;
  if (outputs.empty()) return out;
  for (const auto& kv : outputs[0].node->attrs) {
    out.push_back(kv);
    const std::string s = short_form(kv.first);
    if (!s.empty()) out.emplace_back(s, kv.second);
  }
  return out;
}

std::vector<std::tuple<std::string, std::string, std::string>> Symbol::list_attr_recursive() const {
  std::vector<std::tuple<std::string, std::string, std::string>> out;
  dfs_visit(outputs, [&](const NodePtr& n) {
    for (const auto& kv : n->attrs) {
      out.emplace_back(n->name, kv.first, kv.second);
      const std::string s = short_form(kv.first);
      if (!s.empty()) out.emplace_back(n->name, s, kv.second);
    }
  });
  return out;
}

std::string Symbol::debug_str() const {
  std::ostringstream os;
  if (outputs.size() == 1 && outputs[0].node->inputs.empty() &&
      outputs[0].node->control_deps.empty()) {
    const Node& n = *outputs[0].node;
    if (n.is_variable()) os << "Variable:" << n.name << '\n';
    else os << "AtomicFunctor  Op:" << n.op->name << '\n';
    return os.str();
  }
  os << "Symbol Outputs:\n";
  for (size_t i = 0; i < outputs.size(); ++i)
    os << "\toutput[" << i << "]=" << outputs[i].node->name << '(' << outputs[i].index << ")\n";
  dfs_visit(outputs, [&](const NodePtr& n) {
    if (n->is_variable()) {
      os << "Variable:" << n->name << '\n';
      return;
    }
    os << "--------------------\n"
       << "Op:" << n->op->name << ", Name=" << n->name << "\nInputs:\n";
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const NodeEntry& e = n->inputs[i];
      os << "\targ[" << i << "]=" << e.node->name << '(' << e.index << ')';
      if (e.node->is_variable()) os << " version=" << e.version;
      os << '\n';
    }
    if (!n->attrs.empty()) {
      os << "Attrs:\n";
      for (const auto& kv : n->attrs) os << '\t' << kv.first << '=' << kv.second << '\n';
    }
    if (!n->control_deps.empty()) {
      os << "Control deps:\n";
      for (size_t i = 0; i < n->control_deps.size(); ++i)
        os << "\tcdep[" << i << "]=" << n->control_deps[i]->name << '\n';
    }
  });
  return os.str();
}

}  // namespace symbol
}  // namespace mxl
