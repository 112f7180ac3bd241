#include "imperative/invoke.h"

#include <cstring>

#include "autograd/state.h"
#include "common/scratch.h"
#include "operator/random_generator.h"

namespace mxl {
namespace imperative {
namespace {

std::string names_of(const OpDef* op, const Params& p) {
  const std::vector<std::string> names = op->list_input_names(p);
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s;
}

void check_input_count(const OpDef* op, const Params& p, size_t given) {
  int expected = op->num_inputs(p);
  if (expected < 0) {
    MXL_CHECK(given >= 1, MXL_ERR_VALUE, "Operator ", op->name, ": expected at least 1 input, got 0");
    return;
  }
  MXL_CHECK(given == static_cast<size_t>(expected), MXL_ERR_VALUE, "Operator ", op->name,
            ": expected ", expected, " input", expected == 1 ? "" : "s",
            op->input_names.empty() || op->variadic_inputs ? "" : " (" + names_of(op, p) + ")",
            ", got ", given);
}

// An output may share memory with an input only along a declared in-place
// pair and only as the identical view; anything else computes into a
// temporary first.
bool needs_temporary(const OpDef* op, const Params& p, const std::vector<NDArray>& inputs,
                     const NDArray& out, int out_index) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].chunk() != out.chunk()) continue;
    const bool declared = op->is_inplace(p, static_cast<int>(i), out_index);
    bool same_view = inputs[i].byte_offset() == out.byte_offset() &&
                     inputs[i].shape() == out.shape() && inputs[i].dtype() == out.dtype();
    if (!declared || !same_view) return true;
  }
  return false;
}

// Everything invoke needs per call, reused across calls on a thread.
struct InvokeScratch {
  std::vector<Shape> in_shapes, out_shapes;
  std::vector<DType> in_types, out_types;
  std::vector<NDArray> targets, results;
  std::vector<engine::Var*> reads, writes;
  std::vector<TBlob> in_blobs, out_blobs;
  void clear() {
    in_shapes.clear(), out_shapes.clear(), in_types.clear(), out_types.clear();
    targets.clear(), results.clear(), reads.clear(), writes.clear();
    in_blobs.clear(), out_blobs.clear();
  }
};

struct PendingOp {
  const OpDef* op;
  std::shared_ptr<const Params> params;
  std::vector<NDArray> inputs, outputs;
  bool is_train;
};

// in and out are empty scratch vectors the blobs are built in.
void run_kernel(const OpDef* op, const Params& p, const std::vector<NDArray>& inputs,
                const std::vector<NDArray>& outputs, bool is_train, std::vector<TBlob>& in,
                std::vector<TBlob>& out) {
  for (const auto& a : inputs) in.push_back(a.blob());
  for (const auto& a : outputs) {
    // The kernel overwrites all of it: an old layout of its own needs no conversion.
    if (a.chunk()->has_own_layout() && a.covers_chunk()) a.chunk()->discard_own_layout();
    out.push_back(a.blob());
  }
  OpContext ctx;
  ctx.is_train = is_train;
  ctx.outputs = &outputs;
  if (op->needs_rng) ctx.rng = &global_rng();
  op->forward(ctx, p, in, out);
}

// For ops run later on an engine thread.
void run_pending(const PendingOp& op) {
  ScratchLease<InvokeScratch> scratch;
  run_kernel(op.op, *op.params, op.inputs, op.outputs, op.is_train, scratch->in_blobs,
             scratch->out_blobs);
}

}  // namespace

void invoke(const OpDef* op, const std::shared_ptr<const Params>& params,
            const std::vector<NDArray>& inputs, std::vector<NDArray>* outputs) {
  const Params& p = *params;
  check_input_count(op, p, inputs.size());
  MXL_CHECK(op->forward, MXL_ERR_NOT_IMPLEMENTED, "Operator ", op->name, " has no CPU kernel");

  const int nout = op->num_outputs(p);
  MXL_CHECK(outputs->size() <= static_cast<size_t>(nout), MXL_ERR_VALUE, "Operator ", op->name,
            ": produces ", nout, " output(s), but ", outputs->size(), " were given");
  outputs->resize(nout);

  ScratchLease<InvokeScratch> scratch;
  std::vector<Shape>& in_shapes = scratch->in_shapes;
  std::vector<Shape>& out_shapes = scratch->out_shapes;
  std::vector<DType>& in_types = scratch->in_types;
  std::vector<DType>& out_types = scratch->out_types;
  out_shapes.resize(nout, Shape::unknown());
  out_types.resize(nout, DType::kFloat32);
  for (const auto& a : inputs) {
    MXL_CHECK(!a.is_none(), MXL_ERR_INVALID_HANDLE, "Operator ", op->name, ": an input is empty");
    in_shapes.push_back(a.shape());
    in_types.push_back(a.dtype());
  }
  if (op->infer_type) op->infer_type(p, &in_types, &out_types);
  else infer_type_same(op->name, &in_types, &out_types);
  MXL_CHECK(op->infer_shape, MXL_ERR_NOT_IMPLEMENTED, "Operator ", op->name, " has no shape inference");
  op->infer_shape(p, &in_shapes, &out_shapes);

  // Destinations: check the given ones, allocate the rest.
  std::vector<NDArray>& targets = scratch->targets;  // where results are finally visible
  std::vector<NDArray>& results = scratch->results;  // what the kernel writes
  targets.resize(nout);
  results.resize(nout);
  bool any_temp = false;
  for (int i = 0; i < nout; ++i) {
    MXL_CHECK(out_shapes[i].known(), MXL_ERR_VALUE, "Operator ", op->name,
              ": could not infer the shape of output ", i);
    NDArray& given = (*outputs)[i];
    if (given.is_none()) {
      results[i] = NDArray(out_shapes[i], out_types[i]);
      continue;
    }
    MXL_CHECK(given.shape() == out_shapes[i], MXL_ERR_VALUE, "Operator ", op->name, ": output ", i,
              " ('out') has shape ", given.shape().str(), " but the result has shape ",
              out_shapes[i].str());
    MXL_CHECK(given.dtype() == out_types[i], MXL_ERR_TYPE, "Operator ", op->name, ": output ", i,
              " ('out') has dtype ", dtype_name(given.dtype()), " but the result has dtype ",
              dtype_name(out_types[i]));
    targets[i] = given;
    if (needs_temporary(op, p, inputs, given, i)) {
      results[i] = NDArray(out_shapes[i], out_types[i]);
      any_temp = true;
    } else {
      results[i] = given;
    }
  }

  std::vector<engine::Var*>& reads = scratch->reads;
  std::vector<engine::Var*>& writes = scratch->writes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const bool mutated = op->is_mutate_input(p, static_cast<int>(i));
    (mutated ? writes : reads).push_back(inputs[i].var());
  }
  for (const auto& a : results) writes.push_back(a.var());
  if (op->needs_rng) writes.push_back(global_rng_var());

  engine::Engine* eng = engine::get();
  const bool is_train = autograd::thread_state().training;
  int64_t work = 0;
  for (const auto& s : out_shapes) work += s.numel();
  const int nr = static_cast<int>(reads.size()), nw = static_cast<int>(writes.size());
  if ((work <= kInlineElements || eng->idle()) &&
      eng->begin_inline(reads.data(), nr, writes.data(), nw)) {
    std::exception_ptr err;
    try {
      run_kernel(op, p, inputs, results, is_train, scratch->in_blobs, scratch->out_blobs);
    } catch (...) {
      err = std::current_exception();
    }
    eng->end_inline(reads.data(), nr, writes.data(), nw, err, op->name.c_str());
  } else {
    auto pending = std::make_shared<PendingOp>(PendingOp{op, params, inputs, results, is_train});
    eng->push([pending]() { run_pending(*pending); },
              reads.data(), nr, writes.data(), nw, op->name.c_str());
  }

  if (any_temp) {
    for (int i = 0; i < nout; ++i) {
      if (targets[i].is_none() || results[i].chunk() == targets[i].chunk()) continue;
      NDArray src = results[i], dst = targets[i];
      engine::Var* r = src.var();
      engine::Var* w = dst.var();
      eng->push([src, dst]() { std::memcpy(dst.data(), src.data(), src.nbytes()); }, &r, 1, &w, 1,
                op->name.c_str());
      results[i] = dst;
    }
  }
  outputs->swap(results);  // the scratch keeps the caller's old vector (capacity reused)
}

}  // namespace imperative
}  // namespace mxl
