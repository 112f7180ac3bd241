// Reading symbol JSON written by MXNet (any 0.8 - 1.9 release) or by mxlite.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "symbol/json.h"

namespace mxl {
namespace symbol {
namespace {

using Json = nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw_error(MXL_ERR_VALUE, "symbol JSON: ", where, ": ", what);
}

std::string node_label(size_t i, const std::string& name) {
  return "node " + std::to_string(i) + (name.empty() ? "" : " ('" + name + "')");
}

// [node, index] or [node, index, version]
// limit: entries may refer to nodes [0, limit); total: nodes in the file.
NodeEntry read_entry(const Json& j, const std::vector<NodePtr>& nodes, size_t limit, size_t total,
                     const std::string& where) {
  if (!j.is_array() || j.size() < 2 || j.size() > 3)
    bad(where, "an entry must be [node, index, version], got " + j.dump());
  for (const auto& x : j)
    if (!x.is_number_unsigned()) bad(where, "an entry must hold non-negative integers, got " + j.dump());
  const size_t nid = j[0].get<size_t>();
  if (nid >= limit)
    bad(where, "refers to node " + std::to_string(nid) +
                   (nid < total ? ", which comes later (nodes must be in topological order)"
                                : ", but there are only " + std::to_string(total) + " nodes"));
  NodeEntry e{nodes[nid], j[1].get<uint32_t>(), j.size() == 3 ? j[2].get<uint32_t>() : 0u};
  return e;
}

void read_attrs(const Json& node, const char* key, bool overwrite, std::map<std::string, std::string>* out,
                const std::string& where) {
  auto it = node.find(key);
  if (it == node.end() || it->is_null()) return;
  if (!it->is_object()) bad(where, std::string("'") + key + "' must be an object of strings");
  for (auto kv = it->begin(); kv != it->end(); ++kv) {
    std::string v = kv.value().is_string() ? kv.value().get<std::string>() : kv.value().dump();
    if (overwrite || !out->count(kv.key())) (*out)[kv.key()] = v;
  }
}

int file_version(const Json& doc) {
  auto a = doc.find("attrs");
  if (a == doc.end() || !a->is_object()) return 800;  // files from before 0.9 carry no version
  auto v = a->find("mxnet_version");
  if (v == a->end()) return 800;
  // ["int", 10901]
  if (v->is_array() && v->size() == 2 && (*v)[1].is_number_integer()) return (*v)[1].get<int>();
  if (v->is_number_integer()) return v->get<int>();
  bad("attrs", "mxnet_version must be [\"int\", version], got " + v->dump());
}

const char* const kShortKeys[] = {"ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage"};

// MXNet's UpgradeJSON_FixParsing: shorthand keys become __key__, and
// "<input>_lr_mult"-style keys of an op move to that input's variable.
void fix_hidden_keys(Node* n) {
  std::vector<std::pair<std::string, std::string>> moved;
  for (auto it = n->attrs.begin(); it != n->attrs.end();) {
    bool take = false;
    for (const char* k : kShortKeys) {
      const std::string key = k;
      if (it->first == key) {
        moved.emplace_back("__" + key + "__", it->second);
        take = true;
      } else if (n->op && it->first.size() > key.size() + 1 &&
                 it->first.compare(it->first.size() - key.size(), key.size(), key) == 0 &&
                 it->first[it->first.size() - key.size() - 1] == '_') {
        // weight_lr_mult -> the variable feeding input "weight" gets __lr_mult__
        const std::string input = it->first.substr(0, it->first.size() - key.size() - 1);
        const auto names = n->op->input_names;
        auto pos = std::find(names.begin(), names.end(), input);
        if (pos != names.end() && static_cast<size_t>(pos - names.begin()) < n->inputs.size()) {
          Node* v = n->inputs[pos - names.begin()].node.get();
          if (v->is_variable()) {
            v->attrs["__" + key + "__"] = it->second;
            take = true;
          }
        }
      }
      if (take) break;
    }
    it = take ? n->attrs.erase(it) : std::next(it);
  }
  for (auto& kv : moved) n->attrs[kv.first] = kv.second;
}

}  // namespace

Symbol from_json(const std::string& text) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw_error(MXL_ERR_VALUE, "symbol JSON is malformed: ", e.what());
  }
  if (!doc.is_object()) bad("document", "expected an object with \"nodes\" and \"heads\"");
  auto jn = doc.find("nodes");
  auto jh = doc.find("heads");
  if (jn == doc.end() || !jn->is_array()) bad("document", "\"nodes\" must be a list");
  if (jh == doc.end() || !jh->is_array()) bad("document", "\"heads\" must be a list");
  const int version = file_version(doc);

  std::vector<NodePtr> nodes;
  nodes.reserve(jn->size());
  for (size_t i = 0; i < jn->size(); ++i) {
    const Json& j = (*jn)[i];
    if (!j.is_object()) bad(node_label(i, ""), "must be an object");
    auto op = j.find("op"), name = j.find("name"), inputs = j.find("inputs");
    if (name == j.end() || !name->is_string()) bad(node_label(i, ""), "\"name\" must be a string");
    const std::string where = node_label(i, name->get<std::string>());
    if (op == j.end() || !op->is_string()) bad(where, "\"op\" must be a string (\"null\" for a variable)");
    auto n = std::make_shared<Node>();
    n->name = name->get<std::string>();
    const std::string opname = op->get<std::string>();
    if (opname != "null") {
      n->op = Registry::get().find(opname);
      MXL_CHECK(n->op, MXL_ERR_KEY, "symbol JSON: ", where, " uses the unknown operator '", opname, "'");
    }
    read_attrs(j, "attrs", true, &n->attrs, where);
    read_attrs(j, "attr", true, &n->attrs, where);
    read_attrs(j, "param", false, &n->attrs, where);  // MXNet before 0.9: op parameters
    if (inputs != j.end() && !inputs->is_null()) {
      if (!inputs->is_array()) bad(where, "\"inputs\" must be a list of entries");
      for (const auto& e : *inputs) n->inputs.push_back(read_entry(e, nodes, i, jn->size(), where));
    }
    if (n->is_variable() && !n->inputs.empty()) bad(where, "a variable (op \"null\") cannot have inputs");
    auto deps = j.find("control_deps");
    if (deps != j.end() && !deps->is_null()) {
      if (!deps->is_array()) bad(where, "\"control_deps\" must be a list of node ids");
      for (const auto& d : *deps) {
        if (!d.is_number_unsigned() || d.get<size_t>() >= i)
          bad(where, "control dependency " + d.dump() + " must be an earlier node id");
        n->control_deps.push_back(nodes[d.get<size_t>()]);
      }
    }
    if (j.contains("subgraphs") && !j["subgraphs"].empty())
      throw_error(MXL_ERR_NOT_IMPLEMENTED, "symbol JSON: ", where,
                  " has subgraphs (control-flow operators), which mxlite does not support");
    nodes.push_back(std::move(n));
  }

  for (size_t i = 0; i < nodes.size(); ++i) {
    Node* n = nodes[i].get();
    fix_hidden_keys(n);
    if (!n->op) continue;
    // argmax/argmin: axis=-1 meant "flatten" before 0.9.5.
    if (version < 905 && (n->op->name == "argmax" || n->op->name == "argmin")) {
      auto it = n->attrs.find("axis");
      if (it != n->attrs.end() && it->second == "-1") n->attrs.erase(it);
    }
    n->parse_params();
    const int required = n->op->num_inputs(*n->params);
    // Before 0.9.0 files left out auxiliary states: add them as MXNet does.
    if (version < 900 && required >= 0 && n->inputs.size() < static_cast<size_t>(required)) {
      const auto names = n->input_names();
      for (size_t k = n->inputs.size(); k < static_cast<size_t>(required); ++k) {
        Symbol v = Symbol::variable(n->name + "_" + names[k]);
        v.outputs[0].node->attrs = n->attrs;
        n->inputs.push_back(v.outputs[0]);
      }
    }
    const std::string where = node_label(i, n->name);
    if (required >= 0 && n->inputs.size() != static_cast<size_t>(required))
      bad(where, "operator " + n->op->name + " takes " + std::to_string(required) + " inputs, but " +
                     std::to_string(n->inputs.size()) + " are listed");
    if (required < 0 && n->inputs.empty()) bad(where, "operator " + n->op->name + " needs at least 1 input");
    for (size_t k = 0; k < n->inputs.size(); ++k) {
      const NodeEntry& e = n->inputs[k];
      if (static_cast<int>(e.index) >= e.node->num_outputs())
        bad(where, "input " + std::to_string(k) + " reads output " + std::to_string(e.index) + " of '" +
                       e.node->name + "', which has " + std::to_string(e.node->num_outputs()));
      if (e.node->is_variable()) e.node->version = std::max(e.node->version, e.version);
    }
    // Initializer attributes of the moving statistics (MXNet 0.9.4).
    if (version < 904 && (n->op->name == "BatchNorm" || n->op->name == "_contrib_SyncBatchNorm")) {
      const char* inits[2] = {"[\"zero\", {}]", "[\"one\", {}]"};
      for (int k = 3; k < 5 && k < static_cast<int>(n->inputs.size()); ++k) {
        Node* v = n->inputs[k].node.get();
        if (v->is_variable() && !v->attrs.count("__init__")) v->attrs["__init__"] = inits[k - 3];
      }
    }
  }

  Symbol s;
  for (const auto& h : *jh) {
    NodeEntry e = read_entry(h, nodes, nodes.size(), nodes.size(), "heads");
    if (static_cast<int>(e.index) >= e.node->num_outputs())
      bad("heads", "entry " + h.dump() + " reads output " + std::to_string(e.index) + " of '" +
                       e.node->name + "', which has " + std::to_string(e.node->num_outputs()));
    s.outputs.push_back(std::move(e));
  }
  if (s.outputs.empty()) bad("heads", "the symbol has no outputs");
  return s;
}

}  // namespace symbol
}  // namespace mxl
