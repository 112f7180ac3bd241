// Dtype inference: per node with the op's infer_type, then to a fixed point.
//
// The ops' infer_type takes complete dtypes (the eager contract), so a node
// with unknown inputs is run with those inputs set to each dtype in turn:
//  * if exactly one dtype is accepted (and agrees with what is known), the
//    inputs are forced to it (elemwise_add(float32, ?) -> float32,
//    FullyConnected's weight -> the data's dtype); the node's known dtype
//    counts as the only one once a nearby float and an integer dtype are
//    rejected too (rejections are exceptions: checking all eight is slow);
//  * if several are accepted but all give the same outputs, only the
//    outputs are known (Cast's output is its dtype parameter);
//  * otherwise nothing is learned yet.
// When that reaches a fixed point with dtypes still open, MXNet's common
// rules are tried node by node as a fallback: unknown inputs take the
// dtype of the node's first input (SoftmaxOutput's label gets the data's
// dtype), or else float32.
// A fallback whose consequences conflict anywhere is undone, so guesses
// never turn a valid graph into an error.
#include <algorithm>

#include "symbol/infer.h"

namespace mxl {
namespace symbol {
namespace {

const char* type_text(int t) { return t < 0 ? "?" : dtype_name(static_cast<DType>(t)); }

std::string describe_inputs(const Node& n, const std::vector<int>& in) {
  const std::vector<std::string> names = n.input_names();
  std::string s;
  for (size_t i = 0; i < in.size(); ++i)
    s += (i ? ", " : "") + (i < names.size() ? names[i] : "arg" + std::to_string(i)) + "=" +
         type_text(in[i]);
  return s;
}

// Runs the op on complete input dtypes; outputs start at the known ones.
void run_op(const Node& n, const std::vector<int>& in, const std::vector<int>& out,
            std::vector<int>* rin, std::vector<int>* rout) {
  std::vector<DType> i2, o2;
  for (int t : in) i2.push_back(static_cast<DType>(t));
  for (int t : out) o2.push_back(t < 0 ? DType::kFloat32 : static_cast<DType>(t));
  if (n.op->infer_type) n.op->infer_type(*n.params, &i2, &o2);
  else infer_type_same(n.op->name, &i2, &o2);
  rin->assign(i2.size(), 0), rout->assign(o2.size(), 0);
  for (size_t i = 0; i < i2.size(); ++i) (*rin)[i] = static_cast<int>(i2[i]);
  for (size_t i = 0; i < o2.size(); ++i) (*rout)[i] = static_cast<int>(o2[i]);
}

bool agrees(const std::vector<int>& known, const std::vector<int>& found) {
  for (size_t i = 0; i < known.size(); ++i)
    if (known[i] >= 0 && known[i] != found[i]) return false;
  return true;
}

bool adopt(std::vector<int>* cur, const std::vector<int>& found) {
  bool changed = false;
  for (size_t i = 0; i < cur->size(); ++i) {
    changed |= (*cur)[i] != found[i];
    (*cur)[i] = found[i];
  }
  return changed;
}

// Unknown inputs tried with `candidate`; false if the op rejects it or the
// result contradicts what is known.
bool try_fill(const Node& n, const std::vector<int>& in, const std::vector<int>& out, int candidate,
              std::vector<int>* rin, std::vector<int>* rout) {
  std::vector<int> trial(in);
  for (int& t : trial)
    if (t < 0) t = candidate;
  try {
    run_op(n, trial, out, rin, rout);
  } catch (const Error&) {
    return false;
  }
  return agrees(in, *rin) && agrees(out, *rout);
}

}  // namespace

bool infer_node_types(const Node& n, std::vector<int>* in, std::vector<int>* out) {
  std::vector<int> rin, rout;
  if (std::all_of(in->begin(), in->end(), [](int t) { return t >= 0; })) {
    try {
      run_op(n, *in, *out, &rin, &rout);
    } catch (const Error& e) {
      throw Error(e.kind(), "Error in operator " + n.name + ": " + e.what() + " (input dtypes: " +
                                describe_inputs(n, *in) + ")");
    }
    for (size_t i = 0; i < in->size(); ++i)
      MXL_CHECK(rin[i] == (*in)[i], MXL_ERR_TYPE, "Error in operator ", n.name, " (", n.op->name,
                "): input ", i, " has dtype ", type_text((*in)[i]), " but the operator requires ",
                type_text(rin[i]));
    for (size_t i = 0; i < out->size(); ++i)
      MXL_CHECK((*out)[i] < 0 || (*out)[i] == rout[i], MXL_ERR_TYPE, "Error in operator ", n.name,
                " (", n.op->name, "): output ", i, " ('", n.output_name(static_cast<int>(i)),
                "') is expected to have dtype ", type_text((*out)[i]), " but the operator infers ",
                type_text(rout[i]), " (input dtypes: ", describe_inputs(n, *in), ")");
    return adopt(out, rout);
  }
  // Shortcut (trials that fail cost an exception each): most ops require
  // one shared dtype, so when the node's known dtype is accepted and a
  // nearby float and an integer dtype are both rejected, take it as forced.
  int known = -1;
  for (const auto* v : {static_cast<const std::vector<int>*>(in), static_cast<const std::vector<int>*>(out)})
    for (int t : *v)
      if (known < 0 && t >= 0) known = t;
  if (known >= 0 && try_fill(n, *in, *out, known, &rin, &rout)) {
    const int f32 = static_cast<int>(DType::kFloat32), f64 = static_cast<int>(DType::kFloat64);
    const int i32 = static_cast<int>(DType::kInt32), i64 = static_cast<int>(DType::kInt64);
    const int probes[2] = {known == f32 ? f64 : f32, known == i32 ? i64 : i32};
    std::vector<int> pin, pout;
    if (!try_fill(n, *in, *out, probes[0], &pin, &pout) && !try_fill(n, *in, *out, probes[1], &pin, &pout))
      return adopt(in, rin) | adopt(out, rout);
  }
  // Which dtypes the op accepts for the unknown inputs.
  int accepted = 0;
  std::vector<int> first_in, first_out;
  bool same_outputs = true;
  for (int c = 0; c < kNumDTypes; ++c) {
    if (!try_fill(n, *in, *out, c, &rin, &rout)) continue;
    if (accepted++ == 0) {
      first_in = rin;
      first_out = rout;
    } else {
      same_outputs &= rout == first_out;
    }
  }
  if (accepted == 1) return adopt(in, first_in) | adopt(out, first_out);
  if (accepted > 1 && same_outputs) return adopt(out, first_out);
  return false;
}

namespace {

// MXNet's common rules as a last resort: unknown inputs take the dtype of
// the node's first input (its data), or else float32, MXNet's default
// (Embedding's weight when its indices are integers).  Nothing is assumed
// when the first input is unknown (take's indices say nothing about its
// data, as in MXNet).
bool fallback_node(const Node& n, std::vector<int>* in, std::vector<int>* out) {
  if (in->empty() || (*in)[0] < 0) return false;
  std::vector<int> rin, rout;
  if (!try_fill(n, *in, *out, (*in)[0], &rin, &rout) &&
      !try_fill(n, *in, *out, static_cast<int>(DType::kFloat32), &rin, &rout))
    return false;
  return adopt(in, rin) | adopt(out, rout);
}

class TypePass {
 public:
  TypePass(const IndexedGraph& g, std::vector<int>* types)
      : g_(g), types_(*types), checked_(g.num_nodes(), false) {}

  // Sweeps until nothing changes.  Throws on a conflict.
  void propagate() {
    for (size_t s = 0; s < g_.num_nodes() + 2; ++s)
      if (!sweep(s % 2 == 0)) break;
  }

  // Tries the fallback at one node after another; each is kept only if the
  // propagation it triggers is free of conflicts.
  void fallbacks() {
    std::vector<bool> tried(g_.num_nodes(), false);
    for (uint32_t nid = 0; nid < g_.num_nodes(); ++nid) {
      if (tried[nid] || g_.node(nid).is_variable()) continue;
      tried[nid] = true;
      gather(nid);
      const bool open = std::any_of(in_.begin(), in_.end(), [](int t) { return t < 0; });
      if (!open) continue;
      const std::vector<int> saved = types_;
      const std::vector<bool> saved_checked = checked_;
      if (!fallback_node(g_.node(nid), &in_, &out_)) continue;
      try {
        scatter(nid);
        propagate();
      } catch (const Error&) {
        types_ = saved;
        checked_ = saved_checked;
        continue;
      }
      nid = static_cast<uint32_t>(-1);  // new facts: look at every node again (tried ones skip)
    }
  }

 private:
  void gather(uint32_t nid) {
    in_.clear(), out_.clear();
    for (const auto& e : g_[nid].inputs) in_.push_back(types_[g_.entry_id(e)]);
    for (uint32_t i = g_.row_ptr()[nid]; i < g_.row_ptr()[nid + 1]; ++i) out_.push_back(types_[i]);
  }

  void scatter(uint32_t nid) {
    const Node& n = g_.node(nid);
    for (size_t i = 0; i < in_.size(); ++i) {
      int& t = types_[g_.entry_id(g_[nid].inputs[i])];
      MXL_CHECK(t < 0 || t == in_[i], MXL_ERR_TYPE, "Error in operator ", n.name, " (", n.op->name,
                "): one value is inferred both as ", type_text(t), " and as ", type_text(in_[i]));
      t = in_[i];
    }
    for (size_t i = 0; i < out_.size(); ++i) types_[g_.row_ptr()[nid] + i] = out_[i];
  }

  bool sweep(bool forward) {
    bool changed = false;
    const size_t nn = g_.num_nodes();
    for (size_t k = 0; k < nn; ++k) {
      const uint32_t nid = static_cast<uint32_t>(forward ? k : nn - 1 - k);
      if (g_.node(nid).is_variable()) continue;
      gather(nid);
      const bool inputs_known = std::all_of(in_.begin(), in_.end(), [](int t) { return t >= 0; });
      const bool all_known =
          inputs_known && std::all_of(out_.begin(), out_.end(), [](int t) { return t >= 0; });
      if (checked_[nid] && all_known) continue;
      if (infer_node_types(g_.node(nid), &in_, &out_)) {
        changed = true;
        scatter(nid);
      }
      checked_[nid] = checked_[nid] || inputs_known;
    }
    return changed;
  }

  const IndexedGraph& g_;
  std::vector<int>& types_;
  std::vector<bool> checked_;  // the op saw all its inputs known
  std::vector<int> in_, out_;
};

}  // namespace

size_t infer_types(const IndexedGraph& g, std::vector<int>* types) {
  MXL_CHECK(types->size() == g.num_entries(), MXL_ERR_VALUE, "infer_types: ", types->size(),
            " dtypes given for ", g.num_entries(), " entries");
  TypePass pass(g, types);
  pass.propagate();
  if (std::any_of(types->begin(), types->end(), [](int t) { return t < 0; })) pass.fallbacks();
  size_t unknown = 0;
  for (int t : *types) unknown += t < 0;
  return unknown;
}

}  // namespace symbol
}  // namespace mxl
