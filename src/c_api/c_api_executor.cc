// Executors and cached ops through the C ABI (include/c_api.h sections
// "executors" and "cached ops").
#include "c_api/c_api_symbol.h"
#include "executor/cached_op.h"
#include "executor/executor.h"

using namespace mxl;
using capi::check_out;
using capi::symbol_of;

constexpr uint32_t kExecutorMagic = 0x4d584c45;  // "MXLE"
constexpr uint32_t kCachedOpMagic = 0x4d584c43;  // "MXLC"

struct mxl_executor {
  uint32_t magic = kExecutorMagic;
  std::unique_ptr<exec::Executor> ex;
};

struct mxl_cached_op {
  uint32_t magic = kCachedOpMagic;
  std::unique_ptr<exec::CachedOp> op;
};

namespace {

exec::Executor& executor_of(const mxl_executor_t* h, const char* fn) {
  if (!h) throw_error(MXL_ERR_INVALID_HANDLE, fn, ": executor handle is NULL");
  if (h->magic != kExecutorMagic)
    throw_error(MXL_ERR_INVALID_HANDLE, fn, ": executor handle is invalid or was already freed");
  return *h->ex;
}

exec::CachedOp& cached_op_of(const mxl_cached_op_t* h, const char* fn) {
  if (!h) throw_error(MXL_ERR_INVALID_HANDLE, fn, ": cached op handle is NULL");
  if (h->magic != kCachedOpMagic)
    throw_error(MXL_ERR_INVALID_HANDLE, fn, ": cached op handle is invalid or was already freed");
  return *h->op;
}

mxl_executor_t* new_executor_handle(std::unique_ptr<exec::Executor> ex) {
  auto* h = new mxl_executor;
  h->ex = std::move(ex);
  capi::live_handles().fetch_add(1, std::memory_order_relaxed);
  return h;
}

// num arrays from handles; NULL entries (or a NULL list) become none
// arrays when allow_null.
std::vector<NDArray> arrays_of(int32_t num, mxl_array_t* const* hs, const char* fn,
                               const char* what, bool allow_null) {
  MXL_CHECK(num >= 0, MXL_ERR_VALUE, fn, ": the number of ", what, " is negative");
  std::vector<NDArray> out(num);
  if (!hs) {
    MXL_CHECK(num == 0 || allow_null, MXL_ERR_VALUE, fn, ": ", what, " is NULL");
    return out;
  }
  for (int32_t i = 0; i < num; ++i) {
    if (!hs[i]) {
      MXL_CHECK(allow_null, MXL_ERR_INVALID_HANDLE, fn, ": ", what, " ", i, " is NULL");
      continue;
    }
    out[i] = capi::array_of(hs[i], fn);
  }
  return out;
}

std::vector<exec::GradReq> reqs_of(int32_t num, const int32_t* codes, const char* fn) {
  std::vector<exec::GradReq> r;
  if (!codes) return r;
  for (int32_t i = 0; i < num; ++i) {
    const int32_t c = codes[i];
    MXL_CHECK(c == MXL_GRAD_REQ_NULL || c == MXL_GRAD_REQ_WRITE || c == MXL_GRAD_REQ_ADD,
              MXL_ERR_VALUE, fn, ": grad_req code ", c, " of argument ", i,
              " is not one of 0 (null), 1 (write), 3 (add)");
    r.push_back(static_cast<exec::GradReq>(c));
  }
  return r;
}

void shapes_of(int32_t num, const char* const* names, const int32_t* ndims, const int64_t* dims,
               const char* fn, std::vector<std::string>* keys, std::vector<Shape>* shapes) {
  MXL_CHECK(num >= 0 && (num == 0 || (names && ndims)), MXL_ERR_VALUE, fn,
            ": names or ndims is NULL, or the count is negative");
  int64_t offset = 0;
  for (int32_t i = 0; i < num; ++i) {
    MXL_CHECK(names[i], MXL_ERR_VALUE, fn, ": name ", i, " is NULL");
    const int32_t nd = ndims[i];
    MXL_CHECK(nd >= 0 && nd <= kMaxNdim, MXL_ERR_VALUE, fn, ": ndim ", nd, " of '", names[i],
              "' is not in [0, ", kMaxNdim, "]");
    MXL_CHECK(nd == 0 || dims, MXL_ERR_VALUE, fn, ": dims is NULL");
    Shape s(dims + offset, nd);
    for (int d = 0; d < nd; ++d)
      MXL_CHECK(s[d] >= 0, MXL_ERR_VALUE, fn, ": extent ", s[d], " of '", names[i],
                "' is negative");
    offset += nd;
    keys->emplace_back(names[i]);
    shapes->push_back(s);
  }
}

}  // namespace

extern "C" {

int mxl_executor_bind(const mxl_symbol_t* sym, int32_t num_args, mxl_array_t* const* args,
                      mxl_array_t* const* grads, const int32_t* grad_reqs, int32_t num_aux,
                      mxl_array_t* const* aux, mxl_executor_t** out) {
  MXL_API_BEGIN
  const char* fn = "mxl_executor_bind";
  const symbol::Symbol& s = symbol_of(sym, fn);
  check_out(out, fn, "out");
  auto a = arrays_of(num_args, args, fn, "args", false);
  auto g = grads ? arrays_of(num_args, grads, fn, "grads", true) : std::vector<NDArray>();
  auto x = arrays_of(num_aux, aux, fn, "aux", false);
  auto r = reqs_of(num_args, grad_reqs, fn);
  auto ex = exec::Executor::bind(s, std::move(a), std::move(g), std::move(r), std::move(x));
  *out = new_executor_handle(std::move(ex));
  MXL_API_END
}

int mxl_executor_simple_bind(const mxl_symbol_t* sym, int32_t num_shapes,
                             const char* const* shape_names, const int32_t* ndims,
                             const int64_t* dims, int32_t num_types, const char* const* type_names,
                             const int32_t* dtypes, const int32_t* grad_reqs,
                             mxl_executor_t** out) {
  MXL_API_BEGIN
  const char* fn = "mxl_executor_simple_bind";
  const symbol::Symbol& s = symbol_of(sym, fn);
  check_out(out, fn, "out");
  std::vector<std::string> names;
  std::vector<Shape> shapes;
  shapes_of(num_shapes, shape_names, ndims, dims, fn, &names, &shapes);
  MXL_CHECK(num_types >= 0 && (num_types == 0 || (type_names && dtypes)), MXL_ERR_VALUE, fn,
            ": type_names or dtypes is NULL, or num_types is negative");
  std::vector<std::string> tnames;
  std::vector<int> types;
  for (int32_t i = 0; i < num_types; ++i) {
    MXL_CHECK(type_names[i], MXL_ERR_VALUE, fn, ": type name ", i, " is NULL");
    tnames.emplace_back(type_names[i]);
    if (dtypes[i] == -1) {
      types.push_back(-1);
      continue;
    }
    DType d;
    MXL_CHECK(dtype_from_abi(dtypes[i], &d), MXL_ERR_TYPE, fn, ": dtype code ", dtypes[i],
              " of '", type_names[i], "' is not supported");
    types.push_back(static_cast<int>(d));
  }
  const size_t nargs = s.list_arguments().size();
  auto r = reqs_of(static_cast<int32_t>(nargs), grad_reqs, fn);
  auto ex = exec::Executor::simple_bind(s, names, shapes, tnames, types, r);
  *out = new_executor_handle(std::move(ex));
  MXL_API_END
}

void mxl_executor_free(mxl_executor_t* exec) {
  if (!exec || exec->magic != kExecutorMagic) return;
  exec->magic = kDeadMagic;
  delete exec;
  capi::live_handles().fetch_sub(1, std::memory_order_relaxed);
}

int mxl_executor_forward(mxl_executor_t* exec, int32_t is_train) {
  MXL_API_BEGIN
  executor_of(exec, "mxl_executor_forward").forward(is_train != 0);
  MXL_API_END
}

int mxl_executor_backward(mxl_executor_t* exec, int32_t num_out_grads,
                          mxl_array_t* const* out_grads, int32_t is_train) {
  MXL_API_BEGIN
  const char* fn = "mxl_executor_backward";
  exec::Executor& ex = executor_of(exec, fn);
  auto g = out_grads ? arrays_of(num_out_grads, out_grads, fn, "out_grads", true)
                     : std::vector<NDArray>();
  ex.backward(g, is_train != 0);
  MXL_API_END
}

int mxl_executor_arrays(const mxl_executor_t* exec, int32_t which, int32_t cap, mxl_array_t** out,
                        int32_t* count) {
  MXL_API_BEGIN
  const char* fn = "mxl_executor_arrays";
  const exec::Executor& ex = executor_of(exec, fn);
  check_out(count, fn, "count");
  const std::vector<NDArray>* v = nullptr;
  switch (which) {
    case MXL_EXECUTOR_ARGUMENTS: v = &ex.args(); break;
    case MXL_EXECUTOR_GRADIENTS: v = &ex.grads(); break;
    case MXL_EXECUTOR_AUXILIARY_STATES: v = &ex.aux(); break;
    case MXL_EXECUTOR_OUTPUTS: v = &ex.outputs(); break;
    default: throw_error(MXL_ERR_VALUE, fn, ": unknown kind ", which);
  }
  const int32_t n = static_cast<int32_t>(v->size());
  if (cap > 0) {
    MXL_CHECK(out, MXL_ERR_VALUE, fn, ": out is NULL");
    MXL_CHECK(cap >= n, MXL_ERR_VALUE, fn, ": capacity ", cap, " is smaller than ", n);
    for (int32_t i = 0; i < n; ++i)
      out[i] = (*v)[i].is_none() ? nullptr : capi::new_array_handle((*v)[i]);
  }
  *count = n;
  MXL_API_END
}

int mxl_executor_reshape(const mxl_executor_t* exec, int32_t num, const char* const* names,
                         const int32_t* ndims, const int64_t* dims, int32_t partial_shaping,
                         int32_t allow_up_sizing, mxl_executor_t** out) {
  MXL_API_BEGIN
  const char* fn = "mxl_executor_reshape";
  const exec::Executor& ex = executor_of(exec, fn);
  check_out(out, fn, "out");
  std::vector<std::string> keys;
  std::vector<Shape> shapes;
  shapes_of(num, names, ndims, dims, fn, &keys, &shapes);
  auto nx = ex.reshape(keys, shapes, partial_shaping != 0, allow_up_sizing != 0);
  *out = new_executor_handle(std::move(nx));
  MXL_API_END
}

int mxl_executor_memory(const mxl_executor_t* exec, int64_t* planned, int64_t* naive,
                        int32_t* mirrored) {
  MXL_API_BEGIN
  const exec::CompiledGraph& cg = executor_of(exec, "mxl_executor_memory").compiled();
  if (planned) *planned = cg.plan.planned_bytes;
  if (naive) *naive = cg.plan.naive_bytes;
  if (mirrored) *mirrored = cg.mirrored_nodes;
  MXL_API_END
}

int mxl_cached_op_create(const mxl_symbol_t* sym, int32_t num_flags, const char* const* keys,
                         const char* const* vals, mxl_cached_op_t** out) {
  MXL_API_BEGIN
  const char* fn = "mxl_cached_op_create";
  const symbol::Symbol& s = symbol_of(sym, fn);
  check_out(out, fn, "out");
  MXL_CHECK(num_flags >= 0 && (num_flags == 0 || (keys && vals)), MXL_ERR_VALUE, fn,
            ": keys or vals is NULL, or num_flags is negative");
  std::vector<std::pair<std::string, std::string>> flags;
  for (int32_t i = 0; i < num_flags; ++i) {
    MXL_CHECK(keys[i] && vals[i], MXL_ERR_VALUE, fn, ": flag ", i, " is NULL");
    flags.emplace_back(keys[i], vals[i]);
  }
  auto op = std::make_unique<exec::CachedOp>(s, flags);
  auto* h = new mxl_cached_op;
  h->op = std::move(op);
  capi::live_handles().fetch_add(1, std::memory_order_relaxed);
  *out = h;
  MXL_API_END
}

void mxl_cached_op_free(mxl_cached_op_t* op) {
  if (!op || op->magic != kCachedOpMagic) return;
  op->magic = kDeadMagic;
  delete op;
  capi::live_handles().fetch_sub(1, std::memory_order_relaxed);
}

int mxl_cached_op_num_io(const mxl_cached_op_t* op, int32_t* num_inputs, int32_t* num_outputs) {
  MXL_API_BEGIN
  const exec::CachedOp& c = cached_op_of(op, "mxl_cached_op_num_io");
  if (num_inputs) *num_inputs = static_cast<int32_t>(c.num_inputs());
  if (num_outputs) *num_outputs = static_cast<int32_t>(c.num_outputs());
  MXL_API_END
}

int mxl_cached_op_invoke(mxl_cached_op_t* op, int32_t num_inputs, mxl_array_t* const* inputs,
                         int32_t* num_outputs, mxl_array_t** outputs) {
  MXL_API_BEGIN
  const char* fn = "mxl_cached_op_invoke";
  exec::CachedOp& c = cached_op_of(op, fn);
  check_out(num_outputs, fn, "num_outputs");
  const int32_t nout = static_cast<int32_t>(c.num_outputs());
  MXL_CHECK(*num_outputs >= nout, MXL_ERR_VALUE, fn, ": capacity ", *num_outputs,
            " is smaller than the number of outputs, ", nout);
  check_out(outputs, fn, "outputs");
  MXL_CHECK(num_inputs >= 0 && (num_inputs == 0 || inputs), MXL_ERR_VALUE, fn,
            ": inputs is NULL or num_inputs is negative");
  std::vector<autograd::Value> in(num_inputs);
  for (int32_t i = 0; i < num_inputs; ++i) {
    mxl_array_t* h = capi::array_handle(inputs[i], fn);
    in[i].arr = h->arr;
    in[i].entry = h->entry;
  }
  std::vector<autograd::Value> res = c.invoke(in);
  // Handles last: nothing to undo once they exist.
  for (int32_t i = 0; i < nout; ++i) {
    outputs[i] = capi::new_array_handle(res[i].arr);
    outputs[i]->entry = res[i].entry;
  }
  *num_outputs = nout;
  MXL_API_END
}

int mxl_cached_op_memory(const mxl_cached_op_t* op, int64_t* planned, int64_t* naive,
                         int32_t* mirrored) {
  MXL_API_BEGIN
  const exec::CachedOp& c = cached_op_of(op, "mxl_cached_op_memory");
  if (planned) *planned = c.planned_bytes();
  if (naive) *naive = c.naive_bytes();
  if (mirrored) *mirrored = c.mirrored_nodes();
  MXL_API_END
}

}  // extern "C"
