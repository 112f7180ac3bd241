// Reverse-mode differentiation over the recorded tape.
#include <unordered_map>
#include <unordered_set>

#include "autograd/eager_builder.h"
#include "autograd/state.h"
#include "autograd/tape.h"
#include "imperative/invoke.h"

namespace mxl {
namespace autograd {
namespace {

// Switches recording/training for the pass and restores them on every exit.
class ModeGuard {
 public:
  ModeGuard(bool recording, bool training) : saved_(thread_state()) {
    thread_state().recording = recording;
    thread_state().training = training;
  }
  ~ModeGuard() { thread_state() = saved_; }

 private:
  ThreadState saved_;
};

// Nodes reachable from the heads, inputs before the nodes that read them.
std::vector<std::shared_ptr<Node>> topological_order(const std::vector<Value>& heads) {
  std::vector<std::shared_ptr<Node>> order;
  std::unordered_set<Node*> seen;
  std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack;  // node, next input to visit
  for (const auto& h : heads) {
    if (!seen.insert(h.entry.node.get()).second) continue;
    stack.emplace_back(h.entry.node, 0);
    while (!stack.empty()) {
      auto& top = stack.back();
      if (top.second < top.first->input_entries.size()) {
        const Entry& e = top.first->input_entries[top.second++];
        if (e && seen.insert(e.node.get()).second) stack.emplace_back(e.node, 0);
      } else {
        order.push_back(std::move(top.first));
        stack.pop_back();
      }
    }
  }
  return order;
}

std::shared_ptr<const Params> default_params(const char* op_name) {
  const OpDef* op = Registry::get().find(op_name);
  return imperative::cached_params(op, 0, nullptr, nullptr);
}

// Runs a single op outside the tape (writes into variables' buffers).
void run_plain(const char* op_name, const std::vector<NDArray>& in, NDArray out) {
  std::vector<NDArray> outs{std::move(out)};
  imperative::invoke(Registry::get().find(op_name), default_params(op_name), in, &outs);
}

std::string describe(const Node& n) {
  return n.op ? "operator " + n.op->name : std::string("a custom function");
}

}  // namespace

std::vector<Value> backward(const std::vector<Value>& heads, const std::vector<NDArray>& head_grads,
                            const std::vector<Value>& variables, bool retain_graph,
                            bool create_graph, bool is_train) {
  MXL_CHECK(!heads.empty(), MXL_ERR_VALUE, "backward: no heads given");
  MXL_CHECK(head_grads.empty() || head_grads.size() == heads.size(), MXL_ERR_VALUE,
            "backward: ", head_grads.size(), " head gradients given for ", heads.size(), " heads");
  for (size_t i = 0; i < heads.size(); ++i)
    MXL_CHECK(heads[i].entry, MXL_ERR_VALUE, "backward: head ", i,
              " is not part of a recorded graph (call attach_grad on the inputs and compute the "
              "head inside autograd.record())");
  const bool to_buffers = variables.empty();
  for (size_t i = 0; i < variables.size(); ++i)
    MXL_CHECK(variables[i].entry, MXL_ERR_VALUE, "autograd.grad: variable ", i,
              " has no history: call attach_grad (or mark_variables) before recording");

  ModeGuard mode(create_graph, is_train);
  std::vector<std::shared_ptr<Node>> order = topological_order(heads);
  std::unordered_map<Node*, size_t> index;
  for (size_t i = 0; i < order.size(); ++i) index[order[i].get()] = i;

  // Which nodes lead to something that wants a gradient.
  std::unordered_set<Node*> targets;
  for (const auto& v : variables) targets.insert(v.entry.node.get());
  std::vector<char> needs(order.size(), 0);
  for (size_t i = 0; i < order.size(); ++i) {
    Node* n = order[i].get();
    if (to_buffers ? (n->is_variable() && n->grad_req != GradReq::kNull) : targets.count(n) > 0)
      needs[i] = 1;
    for (const Entry& e : n->input_entries)
      if (e && needs[index[e.node.get()]]) needs[i] = 1;
  }

  // Leaves whose gradient buffer a backward kernel may write directly:
  // grad_req write and exactly one contribution (one consuming input, or
  // one head), so no sum is formed and nothing reads the old value.
  std::unordered_map<Node*, int> contributions;
  const bool direct = to_buffers && !create_graph;
  if (direct) {
    for (const auto& h : heads)
      if (h.entry.node->is_variable()) ++contributions[h.entry.node.get()];
    for (size_t k = 0; k < order.size(); ++k) {
      if (!needs[k] || order[k]->is_variable()) continue;
      for (const Entry& e : order[k]->input_entries)
        if (e && e.node->is_variable()) ++contributions[e.node.get()];
    }
  }
  auto grad_buffer = [&](const Entry& e, const NDArray& input) {
    Node* v = e.node.get();
    if (!direct || !v->is_variable() || v->grad_req != GradReq::kWrite || v->grad.is_none() ||
        contributions[v] != 1 || v->grad.shape() != input.shape() ||
        v->grad.dtype() != input.dtype())
      return NDArray();
    return v->grad;
  };

  EagerBuilder b;
  // Accumulated gradient per node output (undefined until one arrives).
  std::vector<std::vector<GradValue>> grads(order.size());
  for (size_t i = 0; i < order.size(); ++i) grads[i].resize(order[i]->num_outputs());
  auto accumulate = [&](const Entry& e, GradValue g) {
    GradValue& slot = grads[index[e.node.get()]][e.index];
    slot = slot.defined() ? b.op("elemwise_add", {slot, g}) : g;
  };
  for (size_t i = 0; i < heads.size(); ++i) {
    GradValue h = b.add(Value{heads[i].arr, Entry{}});
    GradValue g;
    if (head_grads.empty() || head_grads[i].is_none()) {
      g = b.op("ones_like", {h});
    } else {
      MXL_CHECK(head_grads[i].shape() == heads[i].arr.shape(), MXL_ERR_VALUE, "backward: head ",
                i, " has shape ", heads[i].arr.shape().str(), " but its gradient has shape ",
                head_grads[i].shape().str());
      g = b.add(Value{head_grads[i], Entry{}});
    }
    accumulate(heads[i].entry, g);
  }

  std::vector<GradValue> captured(variables.size());  // autograd.grad results
  for (size_t k = order.size(); k-- > 0;) {
    if (!needs[k]) continue;
    const std::shared_ptr<Node>& node = order[k];
    Node& n = *node;
    for (size_t v = 0; v < variables.size(); ++v)
      if (variables[v].entry.node.get() == &n) captured[v] = grads[k][variables[v].entry.index];
    if (n.is_variable()) continue;
    bool any = false;
    for (GradValue g : grads[k]) any |= g.defined();
    if (!any) continue;
    MXL_CHECK(!n.freed, MXL_ERR_VALUE, "backward: the graph through ", describe(n),
              " was already freed by an earlier backward pass; pass retain_graph=True to the first "
              "one to differentiate the same graph twice");

    std::vector<GradValue> in_grads;
    std::vector<bool> want(n.inputs.size());
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const Entry& e = n.input_entries[i];
      want[i] = e && needs[index[e.node.get()]];
    }
    if (n.is_custom) {
      std::vector<NDArray> ograds;
      for (size_t i = 0; i < grads[k].size(); ++i) {
        GradValue g = grads[k][i];
        if (!g.defined()) g = b.op("zeros_like", {b.add(Value{n.outputs[i], Entry{}})});
        ograds.push_back(b.value(g).arr);
      }
      std::vector<NDArray> res = n.custom(ograds);
      MXL_CHECK(res.size() == n.inputs.size(), MXL_ERR_VALUE, "autograd.Function.backward returned ",
                res.size(), " gradients for ", n.inputs.size(), " inputs");
      for (auto& r : res) in_grads.push_back(r.is_none() ? GradValue{} : b.add(Value{r, Entry{}}));
    } else {
      MXL_CHECK(n.op->gradient, MXL_ERR_VALUE, "Operator ", n.op->name,
                " is not differentiable (it declares no gradient); wrap its inputs with "
                "stop_gradient or compute it outside autograd.record()");
      GradNode gn;
      gn.op = n.op;
      gn.params = n.params;
      gn.is_train = n.is_train;
      gn.needs_input_grad = want;
      for (size_t i = 0; i < n.inputs.size(); ++i)
        gn.inputs.push_back(b.add(Value{n.inputs[i], create_graph ? n.input_entries[i] : Entry{}}));
      // Hidden outputs (masks, saved statistics) get no gradient unless one
      // flowed; materializing zeros for them would only cost memory traffic.
      const size_t visible = static_cast<size_t>(n.op->num_visible_outputs(*n.params));
      for (size_t i = 0; i < n.outputs.size(); ++i) {
        gn.outputs.push_back(
            b.add(Value{n.outputs[i], create_graph ? Entry{node, static_cast<int>(i)} : Entry{}}));
        GradValue g = grads[k][i];
        if (!g.defined() && i < visible) g = b.op("zeros_like", {gn.outputs.back()});
        gn.out_grads.push_back(g);
      }
      if (direct) {
        std::vector<NDArray> buffers(n.inputs.size());
        for (size_t i = 0; i < n.inputs.size(); ++i)
          if (want[i]) buffers[i] = grad_buffer(n.input_entries[i], n.inputs[i]);
        b.set_input_grad_buffers(std::move(buffers));
      }
      in_grads = n.op->gradient(b, gn);
      b.set_input_grad_buffers({});
      MXL_CHECK(in_grads.size() == n.inputs.size(), MXL_ERR_RUNTIME, "internal: the gradient of ",
                n.op->name, " returned ", in_grads.size(), " values for ", n.inputs.size(),
                " inputs");
    }
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (!want[i] || !in_grads[i].defined()) continue;
      MXL_CHECK(b.shape(in_grads[i]) == n.inputs[i].shape(), MXL_ERR_RUNTIME,
                "internal: the gradient of ", describe(n), " for input ", i, " has shape ",
                b.shape(in_grads[i]).str(), " but the input has shape ", n.inputs[i].shape().str());
      accumulate(n.input_entries[i], in_grads[i]);
    }
  }

  std::vector<Value> result;
  if (to_buffers) {
    for (size_t k = 0; k < order.size(); ++k) {
      Node& n = *order[k];
      if (!n.is_variable() || n.grad_req == GradReq::kNull || !grads[k][0].defined()) continue;
      const NDArray& g = b.value(grads[k][0]).arr;
      const bool in_place = g.chunk() == n.grad.chunk() && g.byte_offset() == n.grad.byte_offset();
      if (n.grad_req == GradReq::kAdd) run_plain("elemwise_add", {n.grad, g}, n.grad);
      else if (!in_place) run_plain("_copy", {g}, n.grad);  // else written there directly
      n.fresh_grad = true;
    }
  } else {
    for (size_t v = 0; v < variables.size(); ++v) {
      if (captured[v].defined()) {
        result.push_back(b.value(captured[v]));
      } else {
        result.push_back(b.value(b.op("zeros_like", {b.add(Value{variables[v].arr, Entry{}})})));
      }
    }
  }
  if (!retain_graph) {
    for (auto& n : order) {
      if (n->is_variable()) continue;
      // Keep the counts: entries still index into outputs.
      for (auto& a : n->inputs) a = NDArray();
      for (auto& a : n->outputs) a = NDArray();
      n->custom = nullptr;  // lets go of the frontend's function object
      n->freed = true;
    }
  }
  return result;
}

}  // namespace autograd
}  // namespace mxl
