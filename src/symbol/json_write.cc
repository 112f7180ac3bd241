// Writing symbol JSON in the layout MXNet's own writer produces (its files
// end lines with ", " before the newline; kept so diffs against MXNet-written
// files are clean).
#include <sstream>

#include <nlohmann/json.hpp>

#include "symbol/indexed_graph.h"
#include "symbol/json.h"

namespace mxl {
namespace symbol {
namespace {

std::string quote(const std::string& s) { return nlohmann::json(s).dump(); }

template <typename T>
std::string int_list(const std::vector<T>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

std::string entry_list(const std::vector<IndexedGraph::Entry>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? ", [" : "[") + std::to_string(v[i].node) + ", " + std::to_string(v[i].index) + ", " +
         std::to_string(v[i].version) + "]";
  return s + "]";
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
    os << "      \"inputs\": " << entry_list(info.inputs);
    if (!info.control_deps.empty()) os << ", \n      \"control_deps\": " << int_list(info.control_deps);
    os << "\n    }";
  }
  os << "\n  ], \n";
  os << "  \"arg_nodes\": " << int_list(g.input_nodes()) << ", \n";
  os << "  \"node_row_ptr\": " << int_list(g.row_ptr()) << ", \n";
  os << "  \"heads\": " << entry_list(g.outputs()) << ", \n";
  os << "  \"attrs\": {\"mxnet_version\": [\"int\", " << kMXNetVersion << "]}\n}";
  return os.str();
}

}  // namespace symbol
}  // namespace mxl
