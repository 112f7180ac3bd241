// MXNet 1.9's symbol JSON (DESIGN.md section 9), written and read.
//
//   {"nodes": [{"op": "null" | OpName, "name": str, "attrs": {str: str},
//               "inputs": [[node, index, version], ...],
//               "control_deps": [node, ...]}, ...],
//    "arg_nodes": [...], "node_row_ptr": [...], "heads": [[node, index, version]],
//    "attrs": {"mxnet_version": ["int", 10901]}}
//
// Nodes are in DFS order; "attrs" is omitted when empty.  Reading also takes
// the keys of older files ("param" and "attr" instead of "attrs",
// "backward_source_id") and applies MXNet's own upgrades by the file's
// mxnet_version (missing auxiliary inputs before 0.9.0, initializer
// attributes before 0.9.4, argmax/argmin's axis before 0.9.5, and the
// ctx_group/lr_mult/... shorthands).
#pragma once
#include <string>

#include "symbol/symbol.h"

namespace mxl {
namespace symbol {

// The version written into files: MXNet 1.9.1, whose format this is.
constexpr int kMXNetVersion = 10901;

// MXNet's layout: two-space indentation, one line per node field, short
// lists on one line.
std::string to_json(const Symbol& s);
// Throws VALUE for malformed JSON or an inconsistent graph, KEY for an
// unknown operator, and the op's own errors (naming the node) for bad
// parameters.
Symbol from_json(const std::string& text);

}  // namespace symbol
}  // namespace mxl
