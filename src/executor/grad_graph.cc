#include "executor/grad_graph.h"

#include "imperative/invoke.h"

namespace mxl {
namespace exec {

using symbol::IndexedGraph;
using symbol::Node;
using symbol::NodeEntry;
using symbol::NodePtr;

GradValue SymbolicBuilder::add(const NodeEntry& e, const Shape& s, DType t) {
  vals_.push_back(Val{e, s, t});
  return GradValue{static_cast<int>(vals_.size()) - 1};
}

const NodeEntry& SymbolicBuilder::entry(GradValue v) const {
  MXL_CHECK(v.id >= 0 && static_cast<size_t>(v.id) < vals_.size(), MXL_ERR_RUNTIME,
            "gradient graph: a gradient used an undefined value");
  return vals_[v.id].e;
}

Shape SymbolicBuilder::shape(GradValue v) const {
  entry(v);
  return vals_[v.id].shape;
}

DType SymbolicBuilder::dtype(GradValue v) const {
  entry(v);
  return vals_[v.id].dtype;
}

std::vector<GradValue> SymbolicBuilder::apply(const std::string& name,
                                              const std::vector<GradValue>& inputs,
                                              const Attrs& attrs) {
  const OpDef* op = Registry::get().find(name);
  MXL_CHECK(op, MXL_ERR_RUNTIME, "gradient graph: a gradient uses the unknown operator '", name,
            "'");
  auto node = std::make_shared<Node>();
  node->op = op;
  node->name = prefix_ + "_backward" + std::to_string(counter_++);
  std::vector<const char*> keys, vals;
  for (const auto& kv : attrs) {
    node->attrs[kv.first] = kv.second;
    keys.push_back(kv.first.c_str());
    vals.push_back(kv.second.c_str());
  }
  // The invoke path's parse cache: the same attributes are parsed once.
  node->params = imperative::cached_params(op, static_cast<int>(keys.size()), keys.data(),
                                           vals.data());
  std::vector<Shape> in_shapes;
  std::vector<DType> in_types;
  for (GradValue v : inputs) {
    node->inputs.push_back(entry(v));
    in_shapes.push_back(vals_[v.id].shape);
    in_types.push_back(vals_[v.id].dtype);
  }
  const int nout = op->num_outputs(*node->params);
  std::vector<Shape> out_shapes(nout, Shape::unknown());
  std::vector<DType> out_types(nout, DType::kFloat32);
  // Same inference the invoke path runs, so the graph's shapes are the
  // shapes the kernels will see.
  if (op->infer_type) op->infer_type(*node->params, &in_types, &out_types);
  else infer_type_same(op->name, &in_types, &out_types);
  MXL_CHECK(op->infer_shape, MXL_ERR_NOT_IMPLEMENTED, "Operator ", op->name,
            " has no shape inference");
  op->infer_shape(*node->params, &in_shapes, &out_shapes);
  std::vector<GradValue> out;
  for (int i = 0; i < nout; ++i) {
    MXL_CHECK(out_shapes[i].known(), MXL_ERR_RUNTIME, "gradient graph: operator ", op->name,
              " could not infer the shape of output ", i);
    out.push_back(add(NodeEntry{node, static_cast<uint32_t>(i), 0}, out_shapes[i], out_types[i]));
  }
  return out;
}

GradGraph build_grad_graph(const IndexedGraph& g, const std::vector<Shape>& shapes,
                           const std::vector<DType>& dtypes, const std::vector<bool>& needs_grad,
                           bool is_train) {
  const auto& args = g.argument_nodes();
  MXL_CHECK(needs_grad.size() == args.size(), MXL_ERR_RUNTIME, "gradient graph: ",
            needs_grad.size(), " flags for ", args.size(), " arguments");
  // Which nodes lead to an argument that wants a gradient.
  std::vector<char> needs(g.num_nodes(), 0);
  for (size_t i = 0; i < args.size(); ++i) needs[args[i]] = needs_grad[i];
  for (uint32_t nid = 0; nid < g.num_nodes(); ++nid)
    for (const auto& e : g[nid].inputs) needs[nid] |= needs[e.node];

  SymbolicBuilder b("grad");
  // A forward entry as a builder value (the forward's own node).
  auto fwd_value = [&](uint32_t nid, uint32_t index) {
    const uint32_t eid = g.entry_id(nid, index);
    NodePtr np = g.node_ptr(nid);
    return b.add(NodeEntry{np, index, 0}, shapes[eid], dtypes[eid]);
  };
  // Gradient contributions per forward entry, summed when first needed.
  std::vector<std::vector<GradValue>> contrib(g.num_entries());
  auto total = [&](uint32_t eid) -> GradValue {
    std::vector<GradValue>& c = contrib[eid];
    if (c.empty()) return GradValue{};
    if (c.size() > 1) {
      GradValue sum = b.op("add_n", c, {{"num_args", std::to_string(c.size())}});
      c.assign(1, sum);
    }
    return c[0];
  };

  GradGraph out;
  const auto& heads = g.outputs();
  for (size_t i = 0; i < heads.size(); ++i) {
    auto v = std::make_shared<Node>();
    const Node& src = g.node(heads[i].node);
    v->name = src.name + "_" + src.output_name(static_cast<int>(heads[i].index)) + "_head_grad";
    out.head_grads.push_back(v);
    const uint32_t eid = g.entry_id(heads[i]);
    contrib[eid].push_back(b.add(NodeEntry{v, 0, 0}, shapes[eid], dtypes[eid]));
  }

  for (uint32_t k = static_cast<uint32_t>(g.num_nodes()); k-- > 0;) {
    const Node& n = g.node(k);
    if (n.is_variable() || !needs[k]) continue;
    const int nout = n.num_outputs();
    bool any = false;
    for (int i = 0; i < nout; ++i) any |= !contrib[g.entry_id(k, i)].empty();
    if (!any) continue;
    MXL_CHECK(n.op->gradient, MXL_ERR_VALUE, "Operator ", n.op->name, " (node '", n.name,
              "') is not differentiable (it declares no gradient); wrap its inputs with "
              "BlockGrad / stop_gradient or bind without gradients for the arguments it reads");
    GradNode gn;
    gn.op = n.op;
    gn.params = n.params;
    gn.is_train = is_train;
    for (const auto& e : g[k].inputs) {
      gn.inputs.push_back(fwd_value(e.node, e.index));
      gn.needs_input_grad.push_back(needs[e.node] != 0);
    }
    const int visible = n.num_visible_outputs();
    for (int i = 0; i < nout; ++i) {
      gn.outputs.push_back(fwd_value(k, static_cast<uint32_t>(i)));
      GradValue og = total(g.entry_id(k, i));
      // Visible outputs nothing flowed into get zeros; hidden ones (masks,
      // saved statistics) stay undefined, as in eager autograd.
      if (!og.defined() && i < visible) og = b.op("zeros_like", {gn.outputs.back()});
      gn.out_grads.push_back(og);
    }
    std::vector<GradValue> in_grads = n.op->gradient(b, gn);
    MXL_CHECK(in_grads.size() == gn.inputs.size(), MXL_ERR_RUNTIME, "internal: the gradient of ",
              n.op->name, " returned ", in_grads.size(), " values for ", gn.inputs.size(),
              " inputs");
    for (size_t i = 0; i < in_grads.size(); ++i) {
      if (!gn.needs_input_grad[i] || !in_grads[i].defined()) continue;
      const auto& e = g[k].inputs[i];
      const uint32_t eid = g.entry_id(e);
      MXL_CHECK(b.shape(in_grads[i]) == shapes[eid], MXL_ERR_RUNTIME,
                "internal: the gradient of operator ", n.op->name, " (node '", n.name,
                "') for input ", i, " has shape ", b.shape(in_grads[i]).str(),
                " but the input has shape ", shapes[eid].str());
      contrib[eid].push_back(in_grads[i]);
    }
  }

  for (size_t i = 0; i < args.size(); ++i) {
    GradValue gv = needs_grad[i] ? total(g.entry_id(args[i], 0)) : GradValue{};
    out.arg_grads.push_back(gv.defined() ? b.entry(gv) : NodeEntry{});
  }
  return out;
}

}  // namespace exec
}  // namespace mxl
