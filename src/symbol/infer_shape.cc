// Shape inference: per node with the op's infer_shape, then to a fixed point
// over the graph (conventions in infer.h).
#include <sstream>

#include "symbol/infer.h"

namespace mxl {
namespace symbol {

bool shape_complete(const Shape& s) {
  if (!s.known()) return false;
  for (int i = 0; i < s.ndim(); ++i)
    if (s[i] <= 0) return false;
  return true;
}

std::string shape_text(const Shape& s) { return s.known() ? s.str() : "?"; }

namespace {

bool has_unknown_extent(const Shape& s) { return s.known() && !shape_complete(s); }

enum class Merge { kSame, kChanged, kConflict };

// Refines cur with what inference found; never forgets a known extent.
Merge merge_shape(Shape* cur, const Shape& found) {
  if (!found.known()) return Merge::kSame;
  if (!cur->known()) {
    *cur = found;
    return Merge::kChanged;
  }
  if (cur->ndim() != found.ndim()) return Merge::kConflict;
  bool changed = false;
  for (int i = 0; i < cur->ndim(); ++i) {
    const int64_t a = (*cur)[i], b = found[i];
    if (b <= 0 || a == b) continue;
    if (a > 0) return Merge::kConflict;
    (*cur)[i] = b;
    changed = true;
  }
  return changed ? Merge::kChanged : Merge::kSame;
}

// "data=(10, 64), weight=?, bias=?" for error messages.
std::string describe_inputs(const Node& n, const std::vector<Shape>& in) {
  const std::vector<std::string> names = n.input_names();
  std::ostringstream os;
  for (size_t i = 0; i < in.size(); ++i)
    os << (i ? ", " : "") << (i < names.size() ? names[i] : "arg" + std::to_string(i)) << '='
       << shape_text(in[i]);
  return os.str();
}

std::string input_label(const Node& n, size_t i) {
  const std::vector<std::string> names = n.input_names();
  std::string s = "input '" + (i < names.size() ? names[i] : "arg" + std::to_string(i)) + "'";
  const Node& src = *n.inputs[i].node;
  if (src.is_variable()) s += " (variable '" + src.name + "')";
  else s += " (output of '" + src.name + "')";
  return s;
}

void run_op(const Node& n, const std::vector<Shape>& shown, std::vector<Shape>* in,
            std::vector<Shape>* out) {
  MXL_CHECK(n.op->infer_shape, MXL_ERR_NOT_IMPLEMENTED, "Error in operator ", n.name, " (",
            n.op->name, "): the operator has no shape inference");
  try {
    n.op->infer_shape(*n.params, in, out);
  } catch (const Error& e) {
    throw Error(e.kind(), "Error in operator " + n.name + ": " + e.what() + " (input shapes: " +
                              describe_inputs(n, shown) + ")");
  }
}

// Replaces unknown extents by probe; false if a shape has too many of them
// to multiply safely.
bool fill_probe(std::vector<Shape>* v, int64_t probe) {
  for (auto& s : *v) {
    if (!s.known()) continue;
    int zeros = 0;
    for (int i = 0; i < s.ndim(); ++i)
      if (s[i] <= 0) {
        s[i] = probe;
        ++zeros;
      }
    if (zeros > 3) return false;
  }
  return true;
}

// Extents equal in both probe runs do not depend on the unknown ones.
Shape agree(const Shape& a, const Shape& b) {
  if (!a.known() || !b.known() || a.ndim() != b.ndim()) return Shape::unknown();
  Shape r = a;
  for (int i = 0; i < a.ndim(); ++i)
    if (a[i] != b[i]) r[i] = 0;
  return r;
}

// Partial shapes: run the op twice with the unknown extents set to two
// distinct sizes.  Any failure means the probe tells nothing.
bool probe_partial(const Node& n, std::vector<Shape>* in, std::vector<Shape>* out) {
  const int64_t probes[2] = {7919, 7927};  // primes: unlikely to satisfy a divisibility check
  std::vector<Shape> rin[2], rout[2];
  for (int k = 0; k < 2; ++k) {
    rin[k] = *in;
    rout[k] = *out;
    if (!fill_probe(&rin[k], probes[k]) || !fill_probe(&rout[k], probes[k])) return false;
    try {
      n.op->infer_shape(*n.params, &rin[k], &rout[k]);
    } catch (const Error&) {
      return false;
    }
  }
  bool changed = false;
  for (size_t i = 0; i < in->size(); ++i)
    changed |= merge_shape(&(*in)[i], agree(rin[0][i], rin[1][i])) == Merge::kChanged;
  for (size_t i = 0; i < out->size(); ++i)
    changed |= merge_shape(&(*out)[i], agree(rout[0][i], rout[1][i])) == Merge::kChanged;
  return changed;
}

}  // namespace

bool infer_node_shapes(const Node& n, std::vector<Shape>* in, std::vector<Shape>* out) {
  // The op sees complete shapes and unknown ones only.
  std::vector<Shape> oin(*in), oout(*out);
  for (auto& s : oin)
    if (!shape_complete(s)) s = Shape::unknown();
  for (auto& s : oout)
    if (!shape_complete(s)) s = Shape::unknown();
  run_op(n, *in, &oin, &oout);

  bool changed = false;
  for (size_t i = 0; i < in->size(); ++i) {
    const Shape before = (*in)[i];
    Merge m = merge_shape(&(*in)[i], oin[i]);
    MXL_CHECK(m != Merge::kConflict, MXL_ERR_VALUE, "Error in operator ", n.name, " (", n.op->name,
              "): ", input_label(n, i), " has shape ", shape_text(before),
              " but the operator infers ", shape_text(oin[i]), " from its other inputs (",
              describe_inputs(n, *in), ")");
    changed |= m == Merge::kChanged;
  }
  for (size_t i = 0; i < out->size(); ++i) {
    const Shape before = (*out)[i];
    Merge m = merge_shape(&(*out)[i], oout[i]);
    MXL_CHECK(m != Merge::kConflict, MXL_ERR_VALUE, "Error in operator ", n.name, " (", n.op->name,
              "): output ", i, " ('", n.output_name(static_cast<int>(i)), "') is expected to have shape ",
              shape_text(before), " but the operator infers ", shape_text(oout[i]), " (input shapes: ",
              describe_inputs(n, *in), ")");
    changed |= m == Merge::kChanged;
  }

  bool open = false, partial = false;
  for (const auto* v : {in, out})
    for (const auto& s : *v) {
      open |= !shape_complete(s);
      partial |= has_unknown_extent(s);
    }
  if (open && partial) changed |= probe_partial(n, in, out);
  return changed;
}

namespace {
void write_back(const Node& n, Shape* entry, const Shape& found) {
  const Shape before = *entry;
  MXL_CHECK(merge_shape(entry, found) != Merge::kConflict, MXL_ERR_VALUE, "Error in operator ",
            n.name, " (", n.op->name, "): one value is inferred both as ", shape_text(before),
            " and as ", shape_text(found));
}
}  // namespace

size_t infer_shapes(const IndexedGraph& g, std::vector<Shape>* shapes) {
  MXL_CHECK(shapes->size() == g.num_entries(), MXL_ERR_VALUE, "infer_shapes: ", shapes->size(),
            " shapes given for ", g.num_entries(), " entries");
  std::vector<bool> checked(g.num_nodes(), false);  // the op saw all its inputs complete
  std::vector<Shape> in, out;
  const size_t nn = g.num_nodes();
  // Forward and backward sweeps alternate; each sweep that changes nothing ends it.
  for (size_t sweep = 0; sweep < nn + 2; ++sweep) {
    bool changed = false;
    for (size_t k = 0; k < nn; ++k) {
      const uint32_t nid = static_cast<uint32_t>(sweep % 2 == 0 ? k : nn - 1 - k);
      const auto& info = g[nid];
      const Node& n = *info.node;
      if (n.is_variable()) continue;
      in.clear(), out.clear();
      bool inputs_complete = true, all_complete = true;
      for (const auto& e : info.inputs) {
        in.push_back((*shapes)[g.entry_id(e)]);
        inputs_complete &= shape_complete(in.back());
      }
      const uint32_t nout = g.row_ptr()[nid + 1] - g.row_ptr()[nid];
      for (uint32_t i = 0; i < nout; ++i) {
        out.push_back((*shapes)[g.entry_id(nid, i)]);
        all_complete &= shape_complete(out.back());
      }
      all_complete &= inputs_complete;
      if (checked[nid] && all_complete) continue;
      if (infer_node_shapes(n, &in, &out)) {
        changed = true;
        // Merged rather than assigned: one entry may feed several inputs (x + x).
        for (size_t i = 0; i < in.size(); ++i) write_back(n, &(*shapes)[g.entry_id(info.inputs[i])], in[i]);
        for (uint32_t i = 0; i < nout; ++i) write_back(n, &(*shapes)[g.entry_id(nid, i)], out[i]);
      }
      checked[nid] = checked[nid] || inputs_complete;
    }
    if (!changed) break;  // a full sweep found nothing new: a fixed point
  }
  size_t unknown = 0;
  for (const auto& s : *shapes) unknown += !shape_complete(s);
  return unknown;
}

}  // namespace symbol
}  // namespace mxl
