// Shape and dtype inference over a graph (MXNet's InferShape / InferType
// passes), built from the ops' own infer_shape / infer_type.
//
// Conventions (MXNet 1.x "legacy" shapes, which its symbol files use):
//  * Shape::unknown() is an unknown shape; inside a known rank an extent of
//    0 is an unknown extent, so (0, 64) is a batch of unknown size.  A shape
//    is complete when its rank is known and no extent is 0.
//  * dtypes are ints: -1 unknown, otherwise static_cast<int>(DType).
//
// The passes visit the op nodes forwards and backwards until nothing
// changes.  Ops fill what they can from what is known (FullyConnected fills
// its weight's shape from the data's); an op never sees a partial shape: it
// gets the shape as unknown (so it may fill it) and, if that leaves entries
// open, the unknown extents are probed with two distinct sizes, and the
// extents of the results that agree are kept.  Dtypes of inputs nothing
// determines are tried as the node's known dtype, then float32 (see
// infer_type.cc).  A conflict throws an Error naming the node, the input
// and both shapes.
#pragma once
#include <string>
#include <vector>

#include "symbol/indexed_graph.h"

namespace mxl {
namespace symbol {

bool shape_complete(const Shape& s);
// "?" for unknown, "(0, 64)" for partial shapes.
std::string shape_text(const Shape& s);

// Parses a __shape__ attribute: "(2, 3)", "[2, 3]", "(2L, 3L)".  "()" and
// negative extents mean unknown, as in MXNet 1.x.  Throws VALUE.
Shape parse_shape_attr(const std::string& var, const std::string& text);
// Parses a __dtype__ attribute: MXNet's type flag ("0" = float32) or a name.
// Throws TYPE for a dtype mxlite does not support.
int parse_dtype_attr(const std::string& var, const std::string& text);

// One node.  in/out: the node's input and output entries (updated in
// place).  Returns true if anything changed.  Used by the passes below and
// by graph builders that add nodes to an inferred graph (the symbolic
// GradBuilder).
bool infer_node_shapes(const Node& n, std::vector<Shape>* in, std::vector<Shape>* out);
bool infer_node_types(const Node& n, std::vector<int>* in, std::vector<int>* out);

// Fill entries of variables that are still unknown from their __shape__ /
// __dtype__ attributes.
void seed_shapes_from_attrs(const IndexedGraph& g, std::vector<Shape>* shapes);
void seed_types_from_attrs(const IndexedGraph& g, std::vector<int>* types);

// The passes.  shapes/types: one per entry (g.num_entries()); known values
// are kept and checked, unknown ones filled.  Return the number of entries
// still not complete.
size_t infer_shapes(const IndexedGraph& g, std::vector<Shape>* shapes);
size_t infer_types(const IndexedGraph& g, std::vector<int>* types);

// Symbol-level inference (the C ABI and mx.sym's infer_shape / infer_type).
// Known values are given by name (matched against arguments and auxiliary
// states; an unknown name is a KEY error) or, with names empty,
// positionally in list_arguments order.  Unknown entries in `known` are
// skipped.  Results follow list_arguments / list_outputs /
// list_auxiliary_states.
struct ShapeResult {
  std::vector<Shape> args, outs, aux;
  bool complete = false;
};
struct TypeResult {
  std::vector<int> args, outs, aux;
  bool complete = false;
};
ShapeResult infer_shape(const Symbol& s, const std::vector<std::string>& names,
                        const std::vector<Shape>& known);
TypeResult infer_type(const Symbol& s, const std::vector<std::string>& names,
                      const std::vector<int>& known);

}  // namespace symbol
}  // namespace mxl
