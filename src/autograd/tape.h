// The autograd tape (DESIGN.md section 5): while recording, every op whose
// inputs are tracked leaves a Node holding what its gradient needs; arrays
// point at the Node that produced them through an Entry.  Nodes are kept
// alive by the arrays downstream of them, so a graph lives exactly as long
// as something can still call backward on it.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "ndarray/ndarray.h"
#include "operator/registry.h"

namespace mxl {
namespace autograd {

struct Node;

// Output `index` of `node`; empty when the array is not tracked.
struct Entry {
  std::shared_ptr<Node> node;
  int index = 0;
  explicit operator bool() const { return node != nullptr; }
};

// MXNet's grad_req codes.
enum class GradReq { kNull = 0, kWrite = 1, kAdd = 3 };

// A custom backward (mx.autograd.Function): given one gradient per output
// (never none), returns one gradient per input (none = no gradient).
using CustomBackward =
    std::function<std::vector<NDArray>(const std::vector<NDArray>& out_grads)>;

struct Node {
  // An op node: op != nullptr.  A custom node: custom is set.  Otherwise a
  // variable (a leaf created by mark_variables).
  const OpDef* op = nullptr;
  std::shared_ptr<const Params> params;
  std::vector<NDArray> inputs;        // saved input values
  std::vector<Entry> input_entries;   // their producers (empty: constants)
  std::vector<NDArray> outputs;       // saved outputs, hidden ones included
  bool is_train = false;              // training mode when recorded
  CustomBackward custom;
  bool is_custom = false;             // custom stays set until the graph is freed
  bool freed = false;                 // saved values dropped by a backward pass

  // Variables.
  NDArray grad;  // the gradient buffer (shared with the frontend's array)
  GradReq grad_req = GradReq::kNull;
  // Set when a backward pass writes `grad`; the frontend clears it (MXNet's
  // fresh_grad: Gluon's Trainer finds parameters the last backward missed).
  bool fresh_grad = false;

  bool is_variable() const { return op == nullptr && !is_custom; }
  int num_outputs() const { return is_variable() ? 1 : static_cast<int>(outputs.size()); }
};

// An array together with its history.
struct Value {
  NDArray arr;
  Entry entry;
};

bool is_recording();
bool is_training();

// Makes `arr` a leaf whose gradient lands in `grad` (same shape and dtype).
Entry mark_variable(const NDArray& arr, const NDArray& grad, GradReq req);

// Runs op eagerly (imperative::invoke) and, when recording is on and an input
// is tracked, records it; output entries are filled either way (empty when
// not recorded).  outputs: as imperative::invoke (pre-allocated or none).
void apply(const OpDef* op, const std::shared_ptr<const Params>& params,
           const std::vector<Value>& inputs, std::vector<Value>* outputs);

// Records an op that already ran; returns its node, or nullptr when nothing
// needed recording.  inputs/outputs are the values the op read and wrote.
std::shared_ptr<Node> record_op(const OpDef* op, const std::shared_ptr<const Params>& params,
                                const std::vector<Value>& inputs,
                                const std::vector<NDArray>& outputs);

// Records a custom function whose outputs were computed outside autograd.
std::shared_ptr<Node> record_custom(const std::vector<Value>& inputs,
                                    const std::vector<NDArray>& outputs, CustomBackward backward);

// Backward from heads.  head_grads: one per head, none = ones.  With
// `variables` empty, gradients go to the variables' buffers per grad_req and
// the result is empty; otherwise the gradients of those variables are
// returned (buffers untouched), zeros for variables not reached.
// create_graph records the backward ops so the result can be differentiated
// again; !retain_graph frees the graph's saved values.
std::vector<Value> backward(const std::vector<Value>& heads, const std::vector<NDArray>& head_grads,
                            const std::vector<Value>& variables, bool retain_graph,
                            bool create_graph, bool is_train);

}  // namespace autograd
}  // namespace mxl
