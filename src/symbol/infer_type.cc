// Dtype inference: per node with the op's infer_type, then to a fixed point.
//
// The ops' infer_type takes complete dtypes (the eager contract), so a node
// with unknown inputs is run with those inputs set to a candidate: first
// the dtypes already known at the node (most ops require all inputs to share
// one, which is what MXNet's passes assign), then float32 (MXNet's default,
// which e.g. Embedding's weight needs when its indices are integers).  The
// first candidate the op accepts, and that agrees with the known outputs,
// is kept.  A node with nothing known is left for a later sweep.
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
            std::vector<DType>* rin, std::vector<DType>* rout) {
  rin->clear(), rout->clear();
  for (int t : in) rin->push_back(static_cast<DType>(t));
  for (int t : out) rout->push_back(t < 0 ? DType::kFloat32 : static_cast<DType>(t));
  if (n.op->infer_type) n.op->infer_type(*n.params, rin, rout);
  else infer_type_same(n.op->name, rin, rout);
}

}  // namespace

bool infer_node_types(const Node& n, std::vector<int>* in, std::vector<int>* out) {
  std::vector<DType> rin, rout;
  const bool inputs_known = std::all_of(in->begin(), in->end(), [](int t) { return t >= 0; });
  if (inputs_known) {
    try {
      run_op(n, *in, *out, &rin, &rout);
    } catch (const Error& e) {
      throw Error(e.kind(), "Error in operator " + n.name + ": " + e.what() + " (input dtypes: " +
                                describe_inputs(n, *in) + ")");
    }
    for (size_t i = 0; i < in->size(); ++i)
      MXL_CHECK(static_cast<int>(rin[i]) == (*in)[i], MXL_ERR_TYPE, "Error in operator ", n.name,
                " (", n.op->name, "): input ", i, " has dtype ", type_text((*in)[i]),
                " but the operator requires ", dtype_name(rin[i]));
    bool changed = false;
    for (size_t i = 0; i < out->size(); ++i) {
      const int t = static_cast<int>(rout[i]);
      MXL_CHECK((*out)[i] < 0 || (*out)[i] == t, MXL_ERR_TYPE, "Error in operator ", n.name, " (",
                n.op->name, "): output ", i, " ('", n.output_name(static_cast<int>(i)),
                "') is expected to have dtype ", type_text((*out)[i]), " but the operator infers ",
                dtype_name(rout[i]), " (input dtypes: ", describe_inputs(n, *in), ")");
      changed |= (*out)[i] != t;
      (*out)[i] = t;
    }
    return changed;
  }

  std::vector<int> candidates;
  auto add = [&](int t) {
    if (t >= 0 && std::find(candidates.begin(), candidates.end(), t) == candidates.end())
      candidates.push_back(t);
  };
  for (int t : *in) add(t);
  for (int t : *out) add(t);
  if (candidates.empty()) return false;  // nothing known here yet
  add(static_cast<int>(DType::kFloat32));
  for (int c : candidates) {
    std::vector<int> trial(*in);
    for (int& t : trial)
      if (t < 0) t = c;
    try {
      run_op(n, trial, *out, &rin, &rout);
    } catch (const Error&) {
      continue;  // the op rejects this guess
    }
    bool agrees = true;
    for (size_t i = 0; i < out->size(); ++i)
      agrees &= (*out)[i] < 0 || (*out)[i] == static_cast<int>(rout[i]);
    for (size_t i = 0; i < in->size(); ++i)
      agrees &= (*in)[i] < 0 || (*in)[i] == static_cast<int>(rin[i]);
    if (!agrees) continue;
    for (size_t i = 0; i < in->size(); ++i) (*in)[i] = static_cast<int>(rin[i]);
    for (size_t i = 0; i < out->size(); ++i) (*out)[i] = static_cast<int>(rout[i]);
    return true;
  }
  return false;
}

size_t infer_types(const IndexedGraph& g, std::vector<int>* types) {
  MXL_CHECK(types->size() == g.num_entries(), MXL_ERR_VALUE, "infer_types: ", types->size(),
            " dtypes given for ", g.num_entries(), " entries");
  std::vector<bool> checked(g.num_nodes(), false);
  std::vector<int> in, out;
  const size_t nn = g.num_nodes();
  // One sweep over the nodes; with `guess`, it stops after the first node
  // that guessed, so every guess is followed by plain propagation before
  // the next one (a later node may still determine a dtype exactly).
  auto sweep = [&](bool forward, bool guess) {
    bool changed = false;
    for (size_t k = 0; k < nn && !(guess && changed); ++k) {
      const uint32_t nid = static_cast<uint32_t>(forward ? k : nn - 1 - k);
      const auto& info = g[nid];
      const Node& n = *info.node;
      if (n.is_variable()) continue;
      in.clear(), out.clear();
      bool inputs_known = true, all_known = true;
      for (const auto& e : info.inputs) {
        in.push_back((*types)[g.entry_id(e)]);
        inputs_known &= in.back() >= 0;
      }
      const uint32_t nout = g.row_ptr()[nid + 1] - g.row_ptr()[nid];
      for (uint32_t i = 0; i < nout; ++i) {
        out.push_back((*types)[g.entry_id(nid, i)]);
        all_known &= out.back() >= 0;
      }
      all_known &= inputs_known;
      if ((checked[nid] && all_known) || (!inputs_known && !guess)) continue;
      if (infer_node_types(n, &in, &out)) {
        changed = true;
        for (size_t i = 0; i < in.size(); ++i) {
          int& t = (*types)[g.entry_id(info.inputs[i])];
          MXL_CHECK(t < 0 || t == in[i], MXL_ERR_TYPE, "Error in operator ", n.name, " (",
                    n.op->name, "): one value is inferred both as ", type_text(t), " and as ",
                    type_text(in[i]));
          t = in[i];
        }
        for (uint32_t i = 0; i < nout; ++i) (*types)[g.entry_id(nid, i)] = out[i];
      }
      checked[nid] = checked[nid] || inputs_known;
    }
    return changed;
  };
  do {
    for (size_t s = 0; sweep(s % 2 == 0, false); ++s) {
    }
  } while (sweep(true, true));
  size_t unknown = 0;
  for (int t : *types) unknown += t < 0;
  return unknown;
}

}  // namespace symbol
}  // namespace mxl
