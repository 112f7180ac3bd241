// Binary element-wise and broadcast operators through the registry, checked
// against hand-computed values and, for larger broadcasts, a naive loop that
// decomposes every output index.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "operator/broadcast_util.h"
#include "operator/registry.h"

namespace mxl {
namespace {

using Attrs = std::vector<std::pair<std::string, std::string>>;

// std::vector<bool> has no data(): bool elements live in bytes, as in a blob.
template <typename T>
using Buf = std::conditional_t<std::is_same_v<T, bool>, std::vector<uint8_t>, std::vector<T>>;

template <typename T>
struct Input {
  Shape shape;
  Buf<T> data;
};

// Runs inference and the kernel as the invoke layer does.  With
// alias_input >= 0 the kernel writes over that input's buffer (a declared
// in-place pair) and that buffer is returned.
template <typename T>
Buf<T> run(const std::string& name, std::vector<Input<T>> inputs, const Attrs& attrs = {},
           Shape* out_shape = nullptr, int alias_input = -1) {
  const OpDef* op = Registry::get().find(name);
  if (!op) throw std::runtime_error("no op " + name);
  Params p(op);
  for (const auto& kv : attrs) p.set(kv.first, kv.second);
  std::vector<Shape> in_shapes, out_shapes(1, Shape::unknown());
  std::vector<DType> in_types, out_types(1, DType::kFloat32);
  for (const auto& in : inputs) {
    in_shapes.push_back(in.shape);
    in_types.push_back(TypeToDType<T>::value);
  }
  if (op->infer_type) op->infer_type(p, &in_types, &out_types);
  else infer_type_same(op->name, &in_types, &out_types);
  op->infer_shape(p, &in_shapes, &out_shapes);
  Buf<T> out(out_shapes[0].numel());
  std::vector<TBlob> in_blobs, out_blobs;
  for (auto& in : inputs) in_blobs.push_back(TBlob{in.data.data(), in.shape, TypeToDType<T>::value});
  out_blobs.push_back(TBlob{alias_input >= 0 ? inputs[alias_input].data.data() : out.data(), out_shapes[0],
                            out_types[0]});
  op->forward(OpContext{}, p, in_blobs, out_blobs);
  if (out_shape) *out_shape = out_shapes[0];
  if (alias_input >= 0) return inputs[alias_input].data;
  return out;
}

template <typename T>
Buf<T> run2(const std::string& name, Input<T> a, Input<T> b, Shape* out_shape = nullptr) {
  return run<T>(name, {std::move(a), std::move(b)}, {}, out_shape);
}

// The error kind thrown by f, or -1 if none; the message goes to *msg.
template <typename F>
int error_kind(F f, std::string* msg = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (msg) *msg = e.what();
    return e.kind();
  }
  return -1;
}

// ---------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------

TEST(BinaryOps, BroadcastAddRowVector) {
  Shape s;
  auto r = run2<float>("broadcast_add", {{2, 3}, {1, 2, 3, 4, 5, 6}}, {{3}, {10, 20, 30}}, &s);
  EXPECT_EQ(s, Shape({2, 3}));
  EXPECT_EQ(r, (std::vector<float>{11, 22, 33, 14, 25, 36}));
}

TEST(BinaryOps, BroadcastOuterProductShapes) {
  Shape s;
  auto r = run2<int32_t>("broadcast_mul", {{2, 1}, {2, 3}}, {{1, 3}, {1, 10, 100}}, &s);
  EXPECT_EQ(s, Shape({2, 3}));
  EXPECT_EQ(r, (std::vector<int32_t>{2, 20, 200, 3, 30, 300}));
}

TEST(BinaryOps, ScalarLikeOperands) {
  auto r = run2<double>("broadcast_sub", {{1}, {10}}, {{2, 2}, {1, 2, 3, 4}});
  EXPECT_EQ(r, (std::vector<double>{9, 8, 7, 6}));
  r = run2<double>("broadcast_div", {{2, 2}, {1, 2, 3, 4}}, {{}, {2}});
  EXPECT_EQ(r, (std::vector<double>{0.5, 1, 1.5, 2}));
}

TEST(BinaryOps, ElemwiseFamilyAndAliases) {
  Input<float> a{{4}, {1, 2, 3, 4}}, b{{4}, {4, 3, 2, 1}};
  EXPECT_EQ(run2<float>("elemwise_add", a, b), (std::vector<float>{5, 5, 5, 5}));
  EXPECT_EQ(run2<float>("_plus", a, b), (std::vector<float>{5, 5, 5, 5}));
  EXPECT_EQ(run2<float>("_Minus", a, b), (std::vector<float>{-3, -1, 1, 3}));
  EXPECT_EQ(run2<float>("_Mul", a, b), (std::vector<float>{4, 6, 6, 4}));
  EXPECT_EQ(run2<float>("_div", a, b), (std::vector<float>{0.25f, 2.f / 3.f, 1.5f, 4}));
  EXPECT_EQ(run2<float>("_Maximum", a, b), (std::vector<float>{4, 3, 3, 4}));
  EXPECT_EQ(run2<float>("_minimum", a, b), (std::vector<float>{1, 2, 2, 1}));
  EXPECT_EQ(Registry::get().find("broadcast_plus"), Registry::get().find("broadcast_add"));
  EXPECT_EQ(Registry::get().find("broadcast_minus"), Registry::get().find("broadcast_sub"));
  EXPECT_EQ(Registry::get().find("broadcast_axes"), Registry::get().find("broadcast_axis"));
  EXPECT_EQ(Registry::get().find("_Plus"), Registry::get().find("elemwise_add"));
}

TEST(BinaryOps, IntegerWrapDivisionAndModuloByZero) {
  auto r = run2<int8_t>("elemwise_add", {{2}, {127, -128}}, {{2}, {1, -1}});
  EXPECT_EQ(r, (std::vector<int8_t>{-128, 127}));
  auto d = run2<int32_t>("elemwise_div", {{4}, {7, -7, 5, INT32_MIN}}, {{4}, {2, 2, 0, -1}});
  EXPECT_EQ(d, (std::vector<int32_t>{3, -3, 0, INT32_MIN}));
  auto m = run2<int32_t>("_mod", {{5}, {-7, 7, -7, 5, INT32_MIN}}, {{5}, {3, -3, -3, 0, -1}});
  EXPECT_EQ(m, (std::vector<int32_t>{2, -2, -1, 0, 0}));
  auto u = run2<uint8_t>("broadcast_mod", {{3}, {7, 8, 9}}, {{1}, {4}});
  EXPECT_EQ(u, (std::vector<uint8_t>{3, 0, 1}));
}

TEST(BinaryOps, FloatModuloFollowsDivisorSign) {
  auto m = run2<double>("_mod", {{4}, {-7.5, 7.5, 5, 1}}, {{4}, {2, -2, 2.5, 0}});
  EXPECT_DOUBLE_EQ(m[0], 0.5);
  EXPECT_DOUBLE_EQ(m[1], -0.5);
  EXPECT_DOUBLE_EQ(m[2], 0.0);
  EXPECT_TRUE(std::isnan(m[3]));
}

TEST(BinaryOps, Power) {
  auto p = run2<int64_t>("_power", {{5}, {2, -2, 2, 1, -1}}, {{5}, {10, 3, -1, -5, -3}});
  EXPECT_EQ(p, (std::vector<int64_t>{1024, -8, 0, 1, -1}));
  auto f = run2<float>("broadcast_power", {{3}, {2, 4, 9}}, {{1}, {0.5f}});
  EXPECT_FLOAT_EQ(f[0], std::sqrt(2.0f));
  EXPECT_FLOAT_EQ(f[1], 2.0f);
  EXPECT_FLOAT_EQ(f[2], 3.0f);
}

TEST(BinaryOps, MaximumMinimumPropagateNaN) {
  const float nan = std::nanf("");
  auto mx = run2<float>("_maximum", {{3}, {nan, 1, 2}}, {{3}, {1, nan, 3}});
  EXPECT_TRUE(std::isnan(mx[0]));
  EXPECT_TRUE(std::isnan(mx[1]));
  EXPECT_EQ(mx[2], 3);
  auto mn = run2<float>("broadcast_minimum", {{3}, {nan, 1, 2}}, {{1}, {1.5f}});
  EXPECT_TRUE(std::isnan(mn[0]));
  EXPECT_EQ(mn[1], 1);
  EXPECT_EQ(mn[2], 1.5f);
}

TEST(BinaryOps, Hypot) {
  auto h = run2<int32_t>("_hypot", {{2}, {3, 5}}, {{2}, {4, 12}});
  EXPECT_EQ(h, (std::vector<int32_t>{5, 13}));
  auto f = run2<double>("broadcast_hypot", {{2}, {1, 6}}, {{1}, {1}});
  EXPECT_DOUBLE_EQ(f[0], std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(f[1], std::sqrt(37.0));
}

TEST(BinaryOps, Float16ComputesInFloat) {
  auto r = run2<half_t>("broadcast_add", {{2}, {half_t(1.5f), half_t(-2.0f)}}, {{1}, {half_t(2.25f)}});
  EXPECT_EQ(static_cast<float>(r[0]), 3.75f);
  EXPECT_EQ(static_cast<float>(r[1]), 0.25f);
  auto g = run2<half_t>("_greater", {{2}, {half_t(1.0f), half_t(3.0f)}}, {{2}, {half_t(2.0f), half_t(2.0f)}});
  EXPECT_EQ(static_cast<float>(g[0]), 0.0f);
  EXPECT_EQ(static_cast<float>(g[1]), 1.0f);
}

// ---------------------------------------------------------------------------
// Comparisons, logic, bool
// ---------------------------------------------------------------------------

TEST(BinaryOps, ComparisonsGiveOneZeroInInputDtype) {
  Input<float> a{{3}, {1, 2, 3}}, b{{3}, {2, 2, 2}};
  EXPECT_EQ(run2<float>("_equal", a, b), (std::vector<float>{0, 1, 0}));
  EXPECT_EQ(run2<float>("_not_equal", a, b), (std::vector<float>{1, 0, 1}));
  EXPECT_EQ(run2<float>("_greater", a, b), (std::vector<float>{0, 0, 1}));
  EXPECT_EQ(run2<float>("_greater_equal", a, b), (std::vector<float>{0, 1, 1}));
  EXPECT_EQ(run2<float>("_lesser", a, b), (std::vector<float>{1, 0, 0}));
  EXPECT_EQ(run2<float>("_lesser_equal", a, b), (std::vector<float>{1, 1, 0}));
  auto i = run2<int64_t>("broadcast_greater", {{2, 1}, {1, 5}}, {{3}, {0, 1, 6}});
  EXPECT_EQ(i, (std::vector<int64_t>{1, 0, 0, 1, 1, 0}));
}

TEST(BinaryOps, LogicalOps) {
  Input<int32_t> a{{4}, {0, 0, 3, -2}}, b{{4}, {0, 5, 0, 7}};
  EXPECT_EQ(run2<int32_t>("_logical_and", a, b), (std::vector<int32_t>{0, 0, 0, 1}));
  EXPECT_EQ(run2<int32_t>("_logical_or", a, b), (std::vector<int32_t>{0, 1, 1, 1}));
  EXPECT_EQ(run2<int32_t>("broadcast_logical_xor", a, b), (std::vector<int32_t>{0, 1, 1, 0}));
}

TEST(BinaryOps, BoolSupportsLogicalArithmeticOnly) {
  Input<bool> a{{4}, {false, false, true, true}}, b{{4}, {false, true, false, true}};
  EXPECT_EQ(run2<bool>("elemwise_add", a, b), (Buf<bool>{false, true, true, true}));
  EXPECT_EQ(run2<bool>("broadcast_mul", a, b), (Buf<bool>{false, false, false, true}));
  EXPECT_EQ(run2<bool>("_maximum", a, b), (Buf<bool>{false, true, true, true}));
  EXPECT_EQ(run2<bool>("_minimum", a, b), (Buf<bool>{false, false, false, true}));
  EXPECT_EQ(run2<bool>("_greater", a, b), (Buf<bool>{false, false, true, false}));
  EXPECT_EQ(run2<bool>("broadcast_logical_xor", a, b), (Buf<bool>{false, true, true, false}));
  for (const char* name : {"elemwise_sub", "broadcast_div", "_mod", "broadcast_power", "_hypot"}) {
    std::string msg;
    EXPECT_EQ(error_kind([&] { run2<bool>(name, a, b); }, &msg), MXL_ERR_TYPE) << name;
    EXPECT_NE(msg.find(Registry::get().find(name)->name), std::string::npos) << msg;
  }
}

// ---------------------------------------------------------------------------
// General broadcasting against a naive oracle
// ---------------------------------------------------------------------------

// out[idx] = lhs[idx mapped] - rhs[idx mapped], decomposing every index.
std::vector<float> naive_broadcast_sub(const Shape& ls, const std::vector<float>& l, const Shape& rs,
                                       const std::vector<float>& r, const Shape& os) {
  std::vector<float> out(os.numel());
  const int nd = os.ndim();
  for (int64_t flat = 0; flat < os.numel(); ++flat) {
    int64_t rest = flat, li = 0, ri = 0, lmul = 1, rmul = 1;
    for (int d = nd - 1; d >= 0; --d) {
      const int64_t c = rest % os[d];
      rest /= os[d];
      const int dl = d - (nd - ls.ndim()), dr = d - (nd - rs.ndim());
      if (dl >= 0) {
        li += (ls[dl] == 1 ? 0 : c) * lmul;
        lmul *= ls[dl];
      }
      if (dr >= 0) {
        ri += (rs[dr] == 1 ? 0 : c) * rmul;
        rmul *= rs[dr];
      }
    }
    out[flat] = l[li] - r[ri];
  }
  return out;
}

std::vector<float> iota_data(int64_t n, float scale) {
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>((i * 7919) % 1009) * scale;
  return v;
}

TEST(BinaryOps, GeneralBroadcastMatchesNaiveLoop) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 1, 4, 5}, {2, 1, 5}}, {{2, 3, 4}, {1, 3, 1}}, {{5, 1}, {1, 6}},  {{1, 4, 1}, {3, 1, 2}},
      {{2, 1, 3, 1}, {1, 4, 1, 5}}, {{6}, {7, 1}},       {{1, 1}, {2, 1}},  {{4, 5, 6}, {4, 1, 6}},
      // Large enough to run on several threads, with splits inside rows.
      {{64, 1, 700}, {1, 50, 700}}, {{3000, 1}, {1, 1000}}, {{1, 1, 1 << 20}, {2, 1, 1}},
      {{97, 1, 331}, {1, 13, 331}},
  };
  for (const auto& c : cases) {
    Shape os;
    ASSERT_TRUE(broadcast_shapes(c.first, c.second, &os));
    auto l = iota_data(c.first.numel(), 0.5f), r = iota_data(c.second.numel(), 0.25f);
    Shape got_shape;
    auto got = run2<float>("broadcast_sub", {c.first, l}, {c.second, r}, &got_shape);
    EXPECT_EQ(got_shape, os);
    EXPECT_EQ(got, naive_broadcast_sub(c.first, l, c.second, r, os))
        << c.first.str() << " - " << c.second.str();
  }
}

TEST(BinaryOps, PlanMergesContiguousDimensions) {
  const Shape out{2, 3, 4}, lhs{2, 3, 4}, rhs{1, 3, 4};
  const Shape* ins[2] = {&lhs, &rhs};
  auto plan = make_broadcast_plan<2>(out, ins);
  ASSERT_EQ(plan.ndim, 2);
  EXPECT_EQ(plan.dims[0], 2);
  EXPECT_EQ(plan.dims[1], 12);
  EXPECT_EQ(plan.strides[0][0], 12);
  EXPECT_EQ(plan.strides[1][0], 0);
  EXPECT_EQ(plan.strides[0][1], 1);
  EXPECT_EQ(plan.strides[1][1], 1);
}

// Input element index for output element `flat`, by full decomposition.
int64_t naive_source_index(const Shape& in, const Shape& out, int64_t flat) {
  int64_t index = 0, mul = 1;
  for (int d = out.ndim() - 1; d >= 0; --d) {
    const int64_t c = flat % out[d];
    flat /= out[d];
    const int di = d - (out.ndim() - in.ndim());
    if (di < 0) continue;
    index += (in[di] == 1 ? 0 : c) * mul;
    mul *= in[di];
  }
  return index;
}

// Threads split the output anywhere, also inside rows; every split must map
// each element to the right inputs.
TEST(BinaryOps, SegmentsCoverArbitraryRanges) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 1, 4, 5}, {2, 1, 5}}, {{5, 1}, {1, 6}}, {{2, 1, 3, 1}, {1, 4, 1, 5}}, {{7}, {1}}};
  for (const auto& c : cases) {
    Shape out;
    ASSERT_TRUE(broadcast_shapes(c.first, c.second, &out));
    const Shape* ins[2] = {&c.first, &c.second};
    const auto plan = make_broadcast_plan<2>(out, ins);
    const int64_t n = out.numel(), sa = plan.strides[0][plan.ndim - 1],
                  sb = plan.strides[1][plan.ndim - 1];
    for (int64_t begin = 0; begin < n; begin += 3) {
      for (int64_t end : {begin + 1, begin + 7, n}) {
        end = std::min(end, n);
        int64_t next = begin;
        for_each_segment(plan, begin, end, [&](int64_t pos, const int64_t* off, int64_t len) {
          ASSERT_EQ(pos, next);
          for (int64_t i = 0; i < len; ++i) {
            ASSERT_EQ(off[0] + i * sa, naive_source_index(c.first, out, pos + i));
            ASSERT_EQ(off[1] + i * sb, naive_source_index(c.second, out, pos + i));
          }
          next = pos + len;
        });
        ASSERT_EQ(next, end) << c.first.str() << " " << c.second.str();
      }
    }
  }
}

TEST(BinaryOps, InPlaceOverAnInput) {
  Input<float> a{{2, 3}, {1, 2, 3, 4, 5, 6}}, b{{3}, {1, 1, 1}};
  auto r = run<float>("broadcast_add", {a, b}, {}, nullptr, 0);
  EXPECT_EQ(r, (std::vector<float>{2, 3, 4, 5, 6, 7}));
  // A large in-place general broadcast (rows of the rhs are repeated).
  Input<float> big{{256, 300}, iota_data(256 * 300, 1.0f)}, col{{256, 1}, iota_data(256, 2.0f)};
  std::vector<float> expected = naive_broadcast_sub(big.shape, big.data, col.shape, col.data, big.shape);
  auto got = run<float>("broadcast_sub", {big, col}, {}, nullptr, 0);
  EXPECT_EQ(got, expected);
  // Same-shape ops may also write over rhs.
  Input<int32_t> y{{3}, {10, 20, 30}}, x{{3}, {1, 2, 3}};
  auto z = run<int32_t>("elemwise_sub", {y, x}, {}, nullptr, 1);
  EXPECT_EQ(z, (Buf<int32_t>{9, 18, 27}));
}

TEST(BinaryOps, EmptyAndZeroDimShapes) {
  Shape s;
  auto r = run2<float>("broadcast_add", {{0, 3}, {}}, {{3}, {1, 2, 3}}, &s);
  EXPECT_EQ(s, Shape({0, 3}));
  EXPECT_TRUE(r.empty());
  run2<float>("broadcast_mul", {{0}, {}}, {{1}, {2}}, &s);
  EXPECT_EQ(s, Shape({0}));
  r = run2<float>("elemwise_mul", {{}, {3}}, {{}, {4}}, &s);
  EXPECT_EQ(s, Shape());
  EXPECT_EQ(r, (std::vector<float>{12}));
  r = run2<float>("broadcast_add", {{}, {3}}, {{2}, {1, 2}}, &s);
  EXPECT_EQ(s, Shape({2}));
  EXPECT_EQ(r, (std::vector<float>{4, 5}));
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

TEST(BinaryOps, ShapeAndDtypeErrors) {
  std::string msg;
  EXPECT_EQ(error_kind([] { run2<float>("broadcast_add", {{2, 3}, std::vector<float>(6)},
                                        {{4}, std::vector<float>(4)}); }, &msg),
            MXL_ERR_VALUE);
  EXPECT_NE(msg.find("broadcast_add"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(4,)"), std::string::npos) << msg;
  EXPECT_EQ(error_kind([] { run2<float>("elemwise_add", {{2, 3}, std::vector<float>(6)},
                                        {{3, 2}, std::vector<float>(6)}); }, &msg),
            MXL_ERR_VALUE);
  EXPECT_NE(msg.find("elemwise_add"), std::string::npos) << msg;
  EXPECT_EQ(error_kind([] { run2<float>("_equal", {{3}, std::vector<float>(3)},
                                        {{1}, std::vector<float>(1)}); }),
            MXL_ERR_VALUE);  // same-shape ops do not broadcast

  const OpDef* op = Registry::get().find("broadcast_add");
  Params p(op);
  std::vector<DType> in{DType::kFloat32, DType::kInt32}, out(1);
  EXPECT_EQ(error_kind([&] { op->infer_type(p, &in, &out); }, &msg), MXL_ERR_TYPE);
  EXPECT_NE(msg.find("broadcast_add"), std::string::npos) << msg;
  EXPECT_NE(msg.find("int32"), std::string::npos) << msg;
}

TEST(BinaryOps, SymbolicSameShapeInferenceFillsUnknowns) {
  const OpDef* op = Registry::get().find("elemwise_mul");
  Params p(op);
  std::vector<Shape> in{Shape::unknown(), Shape({2, 5})}, out{Shape::unknown()};
  op->infer_shape(p, &in, &out);
  EXPECT_EQ(in[0], Shape({2, 5}));
  EXPECT_EQ(out[0], Shape({2, 5}));
}

// ---------------------------------------------------------------------------
// broadcast_to / broadcast_like / broadcast_axis
// ---------------------------------------------------------------------------

TEST(BroadcastOps, BroadcastTo) {
  Shape s;
  auto r = run<float>("broadcast_to", {{{1, 3}, {1, 2, 3}}}, {{"shape", "(2, 3)"}}, &s);
  EXPECT_EQ(s, Shape({2, 3}));
  EXPECT_EQ(r, (std::vector<float>{1, 2, 3, 1, 2, 3}));
  r = run<float>("broadcast_to", {{{2, 1}, {1, 2}}}, {{"shape", "(0, 3)"}}, &s);
  EXPECT_EQ(s, Shape({2, 3}));
  EXPECT_EQ(r, (std::vector<float>{1, 1, 1, 2, 2, 2}));
  auto i = run<int64_t>("broadcast_to", {{{3}, {7, 8, 9}}}, {{"shape", "(2, 3)"}}, &s);
  EXPECT_EQ(i, (std::vector<int64_t>{7, 8, 9, 7, 8, 9}));
  auto h = run<half_t>("broadcast_to", {{{}, {half_t(1.5f)}}}, {{"shape", "(2,)"}}, &s);
  EXPECT_EQ(static_cast<float>(h[1]), 1.5f);
  auto b = run<bool>("broadcast_to", {{{2, 1, 1}, {true, false}}}, {{"shape", "(2, 2, 2)"}}, &s);
  EXPECT_EQ(b, (Buf<bool>{true, true, true, true, false, false, false, false}));

  std::string msg;
  EXPECT_EQ(error_kind([] { run<float>("broadcast_to", {{{2, 3}, std::vector<float>(6)}},
                                       {{"shape", "(4, 3)"}}); }, &msg),
            MXL_ERR_VALUE);
  EXPECT_NE(msg.find("broadcast_to"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
  EXPECT_EQ(error_kind([] { run<float>("broadcast_to", {{{2, 3}, std::vector<float>(6)}},
                                       {{"shape", "(3,)"}}); }),
            MXL_ERR_VALUE);
  EXPECT_EQ(error_kind([] { run<float>("broadcast_to", {{{1}, {1}}}, {{"shape", "(-2,)"}}); }),
            MXL_ERR_VALUE);
}

TEST(BroadcastOps, BroadcastAxis) {
  Shape s;
  auto r = run<float>("broadcast_axis", {{{1, 2, 1}, {1, 2}}}, {{"axis", "(0, 2)"}, {"size", "(2, 3)"}}, &s);
  EXPECT_EQ(s, Shape({2, 2, 3}));
  EXPECT_EQ(r, (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2}));
  r = run<float>("broadcast_axes", {{{2, 1}, {4, 5}}}, {{"axis", "-1"}, {"size", "2"}}, &s);
  EXPECT_EQ(s, Shape({2, 2}));
  EXPECT_EQ(r, (std::vector<float>{4, 4, 5, 5}));

  std::string msg;
  EXPECT_EQ(error_kind([] { run<float>("broadcast_axis", {{{2, 3}, std::vector<float>(6)}},
                                       {{"axis", "1"}, {"size", "4"}}); }, &msg),
            MXL_ERR_VALUE);
  EXPECT_NE(msg.find("broadcast_axis"), std::string::npos) << msg;
  EXPECT_EQ(error_kind([] { run<float>("broadcast_axis", {{{2, 1}, std::vector<float>(2)}},
                                       {{"axis", "2"}, {"size", "4"}}); }, &msg),
            MXL_ERR_INDEX);
  EXPECT_NE(msg.find("'axis'"), std::string::npos) << msg;
  EXPECT_EQ(error_kind([] { run<float>("broadcast_axis", {{{2, 1}, std::vector<float>(2)}},
                                       {{"axis", "(1,)"}, {"size", "(3, 4)"}}); }),
            MXL_ERR_VALUE);
}

TEST(BroadcastOps, BroadcastLike) {
  Shape s;
  auto r = run<float>("broadcast_like", {{{1, 2}, {1, 2}}, {{3, 2}, std::vector<float>(6)}}, {}, &s);
  EXPECT_EQ(s, Shape({3, 2}));
  EXPECT_EQ(r, (std::vector<float>{1, 2, 1, 2, 1, 2}));
  r = run<float>("broadcast_like", {{{1, 2}, {1, 2}}, {{5, 4}, std::vector<float>(20)}},
                 {{"lhs_axes", "(0,)"}, {"rhs_axes", "(-1,)"}}, &s);
  EXPECT_EQ(s, Shape({4, 2}));
  EXPECT_EQ(r, (std::vector<float>{1, 2, 1, 2, 1, 2, 1, 2}));

  EXPECT_EQ(error_kind([] { run<float>("broadcast_like", {{{2, 2}, std::vector<float>(4)},
                                                           {{3, 2}, std::vector<float>(6)}}); }),
            MXL_ERR_VALUE);
  EXPECT_EQ(error_kind([] { run<float>("broadcast_like", {{{1, 2}, std::vector<float>(2)},
                                                           {{3, 2}, std::vector<float>(6)}},
                                       {{"lhs_axes", "(0,)"}}); }),
            MXL_ERR_VALUE);
}

}  // namespace
}  // namespace mxl
