// Writing symbol JSON in the layout MXNet's own writer produces, byte for
// byte (its lines end with ", " before the newline; kept so files diff
// cleanly against MXNet-written ones).
#include <sstream>

#include <nlohmann/json.hpp>

#include "symbol/indexed_graph.h"
#include "symbol/json.h"

namespace mxl {
namespace symbol {
namespace {

std::string quote(const std::string& s) { return nlohmann::json(s).dump(); }

// MXNet's writer puts a list on one line up to 10 items and one item per
// line beyond that; indent is the depth of the line holding the list.
std::string list(const std::vector<std::string>& items, int indent) {
  if (items.size() <= 10) {
    std::string s = "[";
    for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
    return s + "]";
  }
  const std::string pad(indent + 2, ' ');
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", \n" : "\n") + pad + items[i];
  return s + "\n" + std::string(indent, ' ') + "]";
}

template <typename T>
std::string int_list(const std::vector<T>& v, int indent) {
  std::vector<std::string> items;
  for (const auto& x : v) items.push_back(std::to_string(x));
  return list(items, indent);
}

std::string entry_list(const std::vector<IndexedGraph::Entry>& v, int indent) {
  std::vector<std::string> items;
  for (const auto& e : v)
    items.push_back("[" + std::to_string(e.node) + ", " + std::to_string(e.index) + ", " +
                    std::to_string(e.version) + "]");
  return list(items, indent);
}

}  // namespace

std::string to_json(const Symbol& s) {
  IndexedGraph g(s);
  std::ostringstream os;
  os << "{\n  \"nodes\": [";
  for (uint32_t nid = 0; nid < g.num_nodes(); ++nid) {
    const auto& info = g[nid];
    const Node& n = *info.node;
    os << (nid ? ", \n" : "\n") << "    {\n";
    os << "      \"op\": " << quote(n.op ? n.op->name : "null") << ", \n";
    os << "      \"name\": " << quote(n.name) << ", \n";
    if (!n.attrs.empty()) {
      os << "      \"attrs\": {";
      if (n.attrs.size() == 1) {
        os << quote(n.attrs.begin()->first) << ": " << quote(n.attrs.begin()->second);
      } else {
        bool first = true;
        for (const auto& kv : n.attrs) {
          os << (first ? "\n" : ", \n") << "        " << quote(kv.first) << ": " << quote(kv.second);
          first = false;
        }
        os << "\n      ";
      }
      os << "}, \n";
    }
    os << "      \"inputs\": " << entry_list(info.inputs, 6);
    if (!info.control_deps.empty()) os << ", \n      \"control_deps\": " << int_list(info.control_deps, 6);
    os << "\n    }";
  }
  os << "\n  ], \n";
  os << "  \"arg_nodes\": " << int_list(g.input_nodes(), 2) << ", \n";
  // MXNet's output counts, so files match the ones MXNet writes.
  std::vector<uint32_t> row_ptr{0};
  for (uint32_t nid = 0; nid < g.num_nodes(); ++nid) {
    const Node& n = g.node(nid);
    row_ptr.push_back(row_ptr.back() +
                      static_cast<uint32_t>(n.op ? n.op->num_mxnet_outputs(*n.params) : 1));
  }
  os << "  \"node_row_ptr\": " << int_list(row_ptr, 2) << ", \n";
  os << "  \"heads\": " << entry_list(g.outputs(), 2) << ", \n";
  os << "  \"attrs\": {\"mxnet_version\": [\"int\", " << kMXNetVersion << "]}\n}";
  return os.str();
}

}  // namespace symbol
}  // namespace mxl
