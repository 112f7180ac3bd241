// GraphExecutor (MXNet's bind / simple_bind): a symbol bound to argument,
// gradient and auxiliary arrays.  forward() runs the forward nodes,
// backward() the gradient graph built from the ops' registered gradients,
// both planned once at bind (memory_plan.h).
//
// grad_req per argument (MXNet's): null (no gradient), write (the buffer is
// overwritten; the last gradient op writes straight into it when it can),
// add (the gradient is added to the buffer).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "autograd/tape.h"
#include "executor/compiled_graph.h"

namespace mxl {
namespace exec {

using autograd::GradReq;

class Executor {
 public:
  // args / grads / reqs: one per argument (list_arguments order); grads may
  // be none where req is null.  aux: one per auxiliary state.  The arrays
  // are shared, not copied (MXNet's bind).  Throws VALUE (counts, shapes
  // that contradict the graph, a missing gradient buffer), TYPE (dtypes).
  static std::unique_ptr<Executor> bind(const symbol::Symbol& sym, std::vector<NDArray> args,
                                        std::vector<NDArray> grads, std::vector<GradReq> reqs,
                                        std::vector<NDArray> aux);
  // MXNet's simple_bind: shapes (and dtypes) of some inputs by name, the
  // rest inferred; every array is allocated (zeros).  dtypes: by name, -1
  // entries and absent names are inferred (float32 when nothing says).
  static std::unique_ptr<Executor> simple_bind(const symbol::Symbol& sym,
                                               const std::vector<std::string>& shape_names,
                                               const std::vector<Shape>& shapes,
                                               const std::vector<std::string>& type_names,
                                               const std::vector<int>& types,
                                               const std::vector<GradReq>& reqs);

  void forward(bool is_train);
  // out_grads: one per output, or empty; a none entry means ones.
  void backward(const std::vector<NDArray>& out_grads, bool is_train);

  // A new executor for other input shapes (MXNet's reshape): arrays whose
  // shape is unchanged are shared, the others allocated.  Without
  // partial_shaping, an argument not named that changes shape is a VALUE
  // error; without allow_up_sizing so is an array that grows.
  std::unique_ptr<Executor> reshape(const std::vector<std::string>& names,
                                    const std::vector<Shape>& shapes, bool partial_shaping,
                                    bool allow_up_sizing) const;

  const std::vector<NDArray>& args() const { return args_; }
  const std::vector<NDArray>& grads() const { return grads_; }
  const std::vector<NDArray>& aux() const { return aux_; }
  const std::vector<NDArray>& outputs() const { return outputs_; }
  const std::vector<GradReq>& grad_reqs() const { return reqs_; }
  const symbol::Symbol& symbol() const { return sym_; }
  const CompiledGraph& compiled() const { return *cg_; }

 private:
  Executor() = default;
  void setup();

  symbol::Symbol sym_;
  std::vector<NDArray> args_, grads_, aux_, outputs_;
  std::vector<GradReq> reqs_;
  std::shared_ptr<const CompiledGraph> cg_;
  std::unique_ptr<GraphState> state_;
  std::vector<NDArray> ones_;  // default head gradients, made on first use
  bool forward_done_ = false;
};

}  // namespace exec
}  // namespace mxl
