// Executors, CachedOp and the memory planner in C++ and through the C ABI.
// Oracles: values written out by hand (x * w, tanh), eager autograd on the
// same arrays, and the planner's invariants (no block shared by two live
// values, external entries never planned).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "autograd/state.h"
#include "c_api.h"
#include "executor/cached_op.h"
#include "executor/executor.h"
#include "executor/memory_plan.h"
#include "op_test_util.h"
#include "symbol/indexed_graph.h"
#include "symbol/symbol.h"

namespace mxl {
namespace {

using symbol::Symbol;
using testing_util::expect_error;

Symbol op(const char* name, const std::vector<Symbol>& args, symbol::AttrList attrs = {}) {
  return Symbol::create(Registry::get().find(name), attrs, args, {}, "");
}

NDArray make(const Shape& s, const std::vector<float>& v) {
  NDArray a(s, DType::kFloat32);
  a.copy_from_host(v.data(), v.size() * sizeof(float));
  return a;
}

std::vector<float> read(const NDArray& a) {
  std::vector<float> v(a.numel());
  a.copy_to_host(v.data(), v.size() * sizeof(float));
  return v;
}

// y = tanh(x * w) + x
Symbol small_graph() {
  Symbol x = Symbol::variable("x"), w = Symbol::variable("w");
  Symbol t = op("tanh", {op("elemwise_mul", {x, w})});
  return op("elemwise_add", {t, x});
}

TEST(Executor, ForwardBackwardByHand) {
  Symbol y = small_graph();
  std::vector<float> xv = {0.5f, -1.0f, 2.0f}, wv = {1.5f, 0.25f, -0.5f}, hv = {1.f, 2.f, -1.f};
  NDArray x = make(Shape({3}), xv), w = make(Shape({3}), wv);
  NDArray gx(Shape({3}), DType::kFloat32), gw(Shape({3}), DType::kFloat32);
  auto ex = exec::Executor::bind(y, {x, w}, {gx, gw}, {exec::GradReq::kWrite, exec::GradReq::kWrite},
                                 {});
  ex->forward(true);
  ex->backward({make(Shape({3}), hv)}, true);
  std::vector<float> out = read(ex->outputs()[0]), dx = read(gx), dw = read(gw);
  for (int i = 0; i < 3; ++i) {
    const float t = std::tanh(xv[i] * wv[i]);
    EXPECT_NEAR(out[i], t + xv[i], 1e-6);
    const float d = hv[i] * (1 - t * t);
    EXPECT_NEAR(dx[i], d * wv[i] + hv[i], 1e-5);  // two contributions summed
    EXPECT_NEAR(dw[i], d * xv[i], 1e-5);
  }
}

TEST(Executor, BindErrors) {
  Symbol y = small_graph();
  NDArray x(Shape({3}), DType::kFloat32), w(Shape({4}), DType::kFloat32);
  expect_error([&] { exec::Executor::bind(y, {x}, {}, {}, {}); }, MXL_ERR_VALUE, "arguments");
  expect_error([&] { exec::Executor::bind(y, {x, w}, {}, {}, {}); }, MXL_ERR_VALUE, "shape");
  NDArray w3(Shape({3}), DType::kFloat32);
  expect_error([&] {
    exec::Executor::bind(y, {x, w3}, {NDArray(), NDArray()},
                         {exec::GradReq::kWrite, exec::GradReq::kNull}, {});
  }, MXL_ERR_VALUE, "no gradient array");
}

TEST(MemoryPlan, ChainReusesAndRespectsExternal) {
  // A chain of unary ops: in-place along relu/negative pairs, never into x.
  Symbol x = Symbol::variable("x");
  Symbol h = x;
  for (int i = 0; i < 6; ++i) h = op(i % 2 ? "relu" : "sigmoid", {h});
  Symbol y = op("elemwise_add", {h, x});
  symbol::IndexedGraph g(y);
  std::vector<Shape> shapes(g.num_entries(), Shape({1000}));
  std::vector<DType> types(g.num_entries(), DType::kFloat32);
  std::vector<char> external(g.num_entries(), 0);
  external[g.entry_id(g.input_nodes()[0], 0)] = 1;
  external[g.entry_id(g.outputs()[0])] = 1;
  exec::PlanOptions opt;
  exec::MemoryPlan p = exec::plan_memory(g, shapes, types, external, opt);
  EXPECT_EQ(p.storage[g.entry_id(g.input_nodes()[0], 0)], -1);
  EXPECT_EQ(p.storage[g.entry_id(g.outputs()[0])], -1);
  EXPECT_EQ(p.naive_bytes, 6 * 4032);  // cache-line rounded
  EXPECT_LE(p.planned_bytes, 2 * 4032);
  opt.enable = false;
  exec::MemoryPlan naive = exec::plan_memory(g, shapes, types, external, opt);
  EXPECT_EQ(naive.block_bytes.size(), 6u);
  EXPECT_EQ(naive.inplace_count, 0);
}

TEST(CachedOp, RecordedAsOneNodeMatchesHandGradient) {
  Symbol y = small_graph();
  exec::CachedOp cop(y, {{"static_alloc", "True"}});
  std::vector<float> xv = {0.3f, -0.7f}, wv = {2.0f, 1.0f};
  NDArray x = make(Shape({2}), xv), w = make(Shape({2}), wv);
  NDArray gw(Shape({2}), DType::kFloat32);
  autograd::Value vx{x, {}}, vw{w, autograd::mark_variable(w, gw, autograd::GradReq::kWrite)};
  auto& st = autograd::thread_state();
  const autograd::ThreadState saved = st;
  st.recording = true;
  st.training = true;
  std::vector<autograd::Value> out = cop.invoke({vx, vw});
  st = saved;
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].entry);
  EXPECT_TRUE(out[0].entry.node->is_custom);
  autograd::backward({out[0]}, {}, {}, false, false, true);
  std::vector<float> dw = read(gw);
  for (int i = 0; i < 2; ++i) {
    const float t = std::tanh(xv[i] * wv[i]);
    EXPECT_NEAR(dw[i], (1 - t * t) * xv[i], 1e-5);
  }
  EXPECT_GT(cop.naive_bytes(), 0);
}

TEST(CApi, ExecutorAndCachedOpHandles) {
  int64_t base = 0;
  mxl_live_handles(&base);
  mxl_symbol_t *x = nullptr, *y = nullptr;
  ASSERT_EQ(mxl_symbol_create_variable("x", &x), 0);
  mxl_op_t* exp_op = nullptr;
  ASSERT_EQ(mxl_op_get("exp", &exp_op), 0);
  ASSERT_EQ(mxl_symbol_create_op(exp_op, 0, nullptr, nullptr, 1, nullptr, &x, nullptr, &y), 0);
  const char* names[] = {"x"};
  int32_t ndims[] = {1};
  int64_t dims[] = {4};
  mxl_executor_t* ex = nullptr;
  int32_t bad_req[] = {2};
  EXPECT_EQ(mxl_executor_simple_bind(y, 1, names, ndims, dims, 0, nullptr, nullptr, bad_req, &ex),
            MXL_ERR_VALUE);
  EXPECT_EQ(ex, nullptr);
  ASSERT_EQ(mxl_executor_simple_bind(y, 1, names, ndims, dims, 0, nullptr, nullptr, nullptr, &ex), 0);
  EXPECT_EQ(mxl_executor_forward(ex, 1), 0);
  EXPECT_EQ(mxl_executor_backward(ex, 0, nullptr, 1), 0);
  int32_t count = 0;
  mxl_array_t* one[1] = {nullptr};
  EXPECT_EQ(mxl_executor_arrays(ex, MXL_EXECUTOR_GRADIENTS, 0, nullptr, &count), 0);
  EXPECT_EQ(count, 1);
  ASSERT_EQ(mxl_executor_arrays(ex, MXL_EXECUTOR_GRADIENTS, 1, one, &count), 0);
  float g[4];
  ASSERT_EQ(mxl_array_copy_to_host(one[0], g, sizeof(g)), 0);
  for (float v : g) EXPECT_FLOAT_EQ(v, 1.0f);  // x = 0: exp'(0) = 1
  mxl_array_free(one[0]);
  int64_t planned = -1, naive = -1;
  EXPECT_EQ(mxl_executor_memory(ex, &planned, &naive, nullptr), 0);
  EXPECT_GE(naive, planned);
  EXPECT_EQ(mxl_executor_forward(nullptr, 0), MXL_ERR_INVALID_HANDLE);
  mxl_executor_free(ex);

  mxl_cached_op_t* cop = nullptr;
  const char* k[] = {"static_shape"};
  const char* v[] = {"bogus"};
  EXPECT_EQ(mxl_cached_op_create(y, 1, k, v, &cop), MXL_ERR_VALUE);
  ASSERT_EQ(mxl_cached_op_create(y, 0, nullptr, nullptr, &cop), 0);
  mxl_array_t* in = nullptr;
  ASSERT_EQ(mxl_array_create(dims, 1, MXL_FLOAT32, MXL_DEVICE_CPU, 0, &in), 0);
  int32_t nout = 0;
  mxl_array_t* outs[1] = {nullptr};
  EXPECT_EQ(mxl_cached_op_invoke(cop, 1, &in, &nout, outs), MXL_ERR_VALUE);  // capacity 0
  nout = 1;
  ASSERT_EQ(mxl_cached_op_invoke(cop, 1, &in, &nout, outs), 0);
  EXPECT_EQ(nout, 1);
  mxl_array_free(outs[0]);
  mxl_array_free(in);
  mxl_cached_op_free(cop);
  mxl_symbol_free(y);
  mxl_symbol_free(x);
  mxl_op_free(exp_op);
  int64_t after = 0;
  mxl_live_handles(&after);
  EXPECT_EQ(after, base);
}

}  // namespace
}  // namespace mxl
