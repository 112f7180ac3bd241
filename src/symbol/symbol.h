// Symbolic graphs (DESIGN.md section 5): the graph IR behind mx.sym.
//
// A graph is a DAG of Nodes.  A Node is either a variable (op == nullptr: a
// graph input, e.g. "data" or "fc1_weight") or an application of a registered
// op to input entries.  A NodeEntry names one output of a node.  A Symbol is
// just a list of output entries: composing ops on symbols links nodes, it
// never copies graphs, so symbols share their sub-graphs as MXNet's do.
//
// Everything downstream (shape and dtype inference, JSON, executors, the
// symbolic GradBuilder, memory planning) walks an IndexedGraph built from a
// Symbol's outputs (indexed_graph.h); this header only knows nodes.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "operator/registry.h"

namespace mxl {
namespace symbol {

struct Node;
using NodePtr = std::shared_ptr<Node>;

// Output `index` of `node`.  `version` counts the mutations of a variable
// (BatchNorm's moving stats) at the point it is read, as MXNet's JSON records.
struct NodeEntry {
  NodePtr node;
  uint32_t index = 0;
  uint32_t version = 0;
};

using AttrList = std::vector<std::pair<std::string, std::string>>;

struct Node {
  const OpDef* op = nullptr;  // nullptr: a variable
  std::string name;
  // Everything attached to the node, as strings in MXNet's text form: the op
  // parameters as they were given ("num_hidden" -> "10") and graph attributes
  // ("__shape__", "__lr_mult__", "__init__", "__ctx_group__", user keys).
  // Sorted, so JSON output is deterministic.
  std::map<std::string, std::string> attrs;
  // The op parameters parsed from attrs (op nodes only); shared with the
  // executors and gradients that run this node.
  std::shared_ptr<const Params> params;
  std::vector<NodeEntry> inputs;
  std::vector<NodePtr> control_deps;  // kept only to round-trip MXNet files
  uint32_t version = 0;               // variables: mutations so far

  bool is_variable() const { return op == nullptr; }
  // All outputs, hidden ones included (1 for a variable).
  int num_outputs() const;
  // Outputs a caller sees (Dropout's mask and BatchNorm's batch statistics
  // are hidden unless asked for).
  int num_visible_outputs() const;
  // The op's input names for this node's parameters ("arg0".. for variadic ops).
  std::vector<std::string> input_names() const;
  // The suffix MXNet gives output i: "output", "output0", or the op's own
  // output name ("mean" for BatchNorm).
  std::string output_name(int i) const;
  // Rebuilds params from attrs (op nodes).  Throws naming the node on an
  // unknown or malformed parameter.
  void parse_params();
};

// Which inputs list_inputs returns: all variables, those no op mutates
// (arguments), or those an op mutates (auxiliary states).
enum class InputKind { kAll, kArguments, kAuxiliary };

class Symbol {
 public:
  std::vector<NodeEntry> outputs;

  // A variable (graph input).
  static Symbol variable(const std::string& name);
  // Applies op to input symbols, MXNet's composition: positional inputs fill
  // the first slots, keyword inputs are matched by input name, and every
  // slot left empty becomes a new variable "<name>_<input>" (fc1_weight)
  // carrying a copy of the node's attributes.  attrs are op parameters and
  // graph attributes; the MXNet shorthands ctx_group, lr_mult, wd_mult,
  // force_mirroring and mirror_stage are stored as __key__.  An empty name
  // is replaced by an automatic one (auto_name).  Inputs must be single
  // outputs.  Throws VALUE/KEY/TYPE errors naming the op and the argument.
  static Symbol create(const OpDef* op, const AttrList& attrs, const std::vector<Symbol>& args,
                       const std::vector<std::pair<std::string, Symbol>>& kwargs,
                       const std::string& name);
  // The outputs of several symbols, in order.
  static Symbol group(const std::vector<Symbol>& symbols);

  // Output i alone (INDEX error when out of range).
  Symbol output(size_t i) const;
  // Every variable and every visible output of every op node, in
  // topological order (MXNet's get_internals).
  Symbol internals() const;
  // The inputs of the output nodes (MXNet's get_children).
  Symbol children() const;
  // A deep copy: new nodes, same structure and attributes.
  Symbol copy() const;
  // A copy whose variables are replaced: positional symbols replace the
  // variables in list_inputs order, keyword ones the variables of that
  // name (MXNet's Symbol.__call__).  A non-empty name renames the head.
  Symbol compose(const std::vector<Symbol>& args,
                 const std::vector<std::pair<std::string, Symbol>>& kwargs,
                 const std::string& name) const;

  std::vector<NodePtr> list_input_nodes(InputKind kind) const;
  std::vector<std::string> list_inputs(InputKind kind) const;
  std::vector<std::string> list_arguments() const { return list_inputs(InputKind::kArguments); }
  std::vector<std::string> list_auxiliary_states() const {
    return list_inputs(InputKind::kAuxiliary);
  }
  // "<name>_output", "<name>_<output name>" for op outputs; a variable's name.
  std::vector<std::string> list_outputs() const;

  // Attributes of the head node; false when absent or when the outputs come
  // from several nodes.  "name" reads the node's name; ctx_group, lr_mult,
  // ... fall back to their __key__ form.
  bool get_attr(const std::string& key, std::string* out) const;
  // Sets an attribute of the head node ("name" renames it; an op parameter
  // is parsed again and rejected if invalid).  Fails on a grouped symbol.
  void set_attr(const std::string& key, const std::string& value);
  // The head node's attributes; __ctx_group__ and friends also appear under
  // their short names, as MXNet lists them.
  AttrList list_attr() const;
  // (node name, key, value) for every node, in topological order.
  std::vector<std::tuple<std::string, std::string, std::string>> list_attr_recursive() const;
  // A human-readable listing of the graph (MXNet's debug_str).
  std::string debug_str() const;
};

// Visits every node reachable from heads once, inputs (then control
// dependencies) before the nodes that use them: MXNet's DFS order, which is
// also the node order of its JSON.  Iterative, so deep graphs do not
// overflow the stack.
void dfs_visit(const std::vector<NodeEntry>& heads, const std::function<void(const NodePtr&)>& fn);

// MXNet's automatic names: hint (the op name lowercased) followed by a
// per-thread counter for that hint: fullyconnected0, fullyconnected1, ...
std::string auto_name(const std::string& hint);
// Restarts this thread's counters (tests; MXNet's NameManager scopes).
void reset_auto_names();

// MXNet's shorthand keys stored as "__key__" (ctx_group -> __ctx_group__).
// Returns the key to store; throws VALUE for the deprecated "<input>_lr_mult"
// forms, as MXNet does.
std::string canonical_attr_key(const std::string& key);

}  // namespace symbol
}  // namespace mxl
