// Shape, slicing and indexing operators, called through the registry on
// hand-computed cases; larger inputs are checked against naive index loops.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "operator/registry.h"
#include "op_test_util.h"

namespace mxl {
namespace {

using Attrs = std::map<std::string, std::string>;

// A host array: shape, dtype and bytes.
struct Arr {
  Shape shape;
  DType dtype = DType::kFloat32;
  std::vector<uint8_t> bytes;

  template <typename T>
  static Arr of(Shape s, std::vector<T> v) {
    Arr a;
    a.shape = s;
    a.dtype = TypeToDType<T>::value;
    EXPECT_EQ(static_cast<int64_t>(v.size()), s.numel());
    a.bytes.resize(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(a.bytes.data(), v.data(), a.bytes.size());
    return a;
  }
  template <typename T>
  std::vector<T> values() const {
    EXPECT_EQ(dtype, TypeToDType<T>::value);
    std::vector<T> v(bytes.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
  }
  TBlob blob() { return TBlob{bytes.data(), shape, dtype}; }
};

// 0, 1, 2, ... in shape s.
template <typename T>
Arr iota(Shape s) {
  std::vector<T> v(s.numel());
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(i);
  return Arr::of<T>(s, v);
}

// Infers, allocates and runs `name` as the invoke layer does.
std::vector<Arr> run(const std::string& name, std::vector<Arr> in, const Attrs& attrs = {}) {
  const OpDef* op = Registry::get().find(name);
  EXPECT_NE(op, nullptr) << name;
  Params p(op);
  for (const auto& kv : attrs) p.set(kv.first, kv.second);
  p.check_required();
  const int nout = op->num_outputs(p);
  std::vector<DType> in_t, out_t(nout);
  std::vector<Shape> in_s, out_s(nout, Shape::unknown());
  for (auto& a : in) {
    in_t.push_back(a.dtype);
    in_s.push_back(a.shape);
  }
  if (op->infer_type) op->infer_type(p, &in_t, &out_t);
  else infer_type_same(op->name, &in_t, &out_t);
  op->infer_shape(p, &in_s, &out_s);
  std::vector<Arr> out(nout);
  std::vector<TBlob> ib, ob;
  for (auto& a : in) ib.push_back(a.blob());
  for (int i = 0; i < nout; ++i) {
    EXPECT_TRUE(out_s[i].known());
    out[i].shape = out_s[i];
    out[i].dtype = out_t[i];
    out[i].bytes.assign(out_s[i].numel() * dtype_size(out_t[i]), 0xAB);
    ob.push_back(out[i].blob());
  }
  OpContext ctx;
  op->forward(ctx, p, ib, ob);
  return out;
}

Arr run1(const std::string& name, std::vector<Arr> in, const Attrs& attrs = {}) {
  return run(name, std::move(in), attrs)[0];
}

using testing_util::expect_error;

using F = std::vector<float>;
using I64 = std::vector<int64_t>;

// ---------------------------------------------------------------------------
// transpose
// ---------------------------------------------------------------------------

TEST(ShapeOps, TransposeSmall) {
  Arr y = run1("transpose", {iota<float>({2, 3})});
  EXPECT_EQ(y.shape, (Shape{3, 2}));
  EXPECT_EQ(y.values<float>(), (F{0, 3, 1, 4, 2, 5}));
  y = run1("transpose", {iota<int32_t>({2, 3, 2})}, {{"axes", "(1, 0, 2)"}});
  EXPECT_EQ(y.shape, (Shape{3, 2, 2}));
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11}));
  y = run1("transpose", {iota<float>({2, 3})}, {{"axes", "(-1, 0)"}});
  EXPECT_EQ(y.values<float>(), (F{0, 3, 1, 4, 2, 5}));
  y = run1("transpose", {Arr::of<double>({}, {7.0})});
  EXPECT_EQ(y.shape, Shape{});
  EXPECT_EQ(y.values<double>(), (std::vector<double>{7.0}));
  EXPECT_EQ(run1("transpose", {iota<float>({0, 3})}).shape, (Shape{3, 0}));
}

// Naive oracle: out[i0, i1, ...] = in[i_perm^-1...] by full index decomposition.
template <typename T>
void check_transpose(Shape s, std::vector<int> perm) {
  std::string axes = "(";
  for (size_t i = 0; i < perm.size(); ++i) axes += (i ? ", " : "") + std::to_string(perm[i]);
  axes += ")";
  Arr x = iota<T>(s);
  Arr y = run1("transpose", {x}, {{"axes", axes}});
  std::vector<T> xv = x.values<T>(), yv = y.values<T>();
  const int nd = s.ndim();
  std::vector<int64_t> in_str(nd, 1);
  for (int k = nd - 2; k >= 0; --k) in_str[k] = in_str[k + 1] * s[k + 1];
  for (int64_t flat = 0; flat < y.shape.numel(); ++flat) {
    int64_t rem = flat, src = 0;
    for (int k = nd - 1; k >= 0; --k) {
      src += (rem % y.shape[k]) * in_str[perm[k]];
      rem /= y.shape[k];
    }
    ASSERT_EQ(yv[flat], xv[src]) << "at " << flat;
  }
}

TEST(ShapeOps, TransposeBlockedMatchesNaive) {
  check_transpose<float>({67, 131}, {1, 0});
  check_transpose<int64_t>({33, 65}, {1, 0});
  check_transpose<uint8_t>({40, 70}, {1, 0});
  check_transpose<half_t>({5, 17, 23}, {0, 2, 1});  // values < 2048 stay exact
  check_transpose<float>({7, 9, 11, 3}, {3, 1, 0, 2});
  check_transpose<double>({300, 200}, {1, 0});  // parallel path
}

// 4- and 8-byte tiles move through float/double registers: integer bit
// patterns that are NaNs as floats (signaling ones included) must survive.
TEST(ShapeOps, TransposeKeepsBitPatterns) {
  const int64_t r = 45, c = 70;  // full tiles and edge tiles
  std::vector<int32_t> v(r * c);
  for (int64_t i = 0; i < r * c; ++i) v[i] = static_cast<int32_t>(0x7F800001u + (i % 3) * 0x00400000u + i);
  std::vector<int64_t> w(r * c);
  for (int64_t i = 0; i < r * c; ++i) w[i] = static_cast<int64_t>(0x7FF0000000000001ull + i);
  std::vector<int32_t> yv = run1("transpose", {Arr::of<int32_t>({r, c}, v)}).values<int32_t>();
  std::vector<int64_t> yw = run1("transpose", {Arr::of<int64_t>({r, c}, w)}).values<int64_t>();
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) {
      ASSERT_EQ(yv[j * r + i], v[i * c + j]);
      ASSERT_EQ(yw[j * r + i], w[i * c + j]);
    }
}

TEST(ShapeOps, TransposeErrors) {
  expect_error([] { run1("transpose", {iota<float>({2, 3, 4})}, {{"axes", "(0, 3)"}}); },
               MXL_ERR_INDEX, "Operator transpose: axes (0, 3) is invalid for an input of 3 dimensions");
  expect_error([] { run1("transpose", {iota<float>({2, 3})}, {{"axes", "(0, 0)"}}); },
               MXL_ERR_INDEX, "transpose");
}

// ---------------------------------------------------------------------------
// Reshape, Flatten, expand_dims, squeeze
// ---------------------------------------------------------------------------

Shape reshaped(Shape in, const std::string& spec, bool reverse = false) {
  return run1("Reshape", {iota<float>(in)}, {{"shape", spec}, {"reverse", reverse ? "True" : "False"}})
      .shape;
}

TEST(ShapeOps, ReshapeSpecialCodes) {
  // The examples of MXNet's documentation.
  EXPECT_EQ(reshaped({2, 3, 4}, "(4, 0, 2)"), (Shape{4, 3, 2}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(2, 0, 0)"), (Shape{2, 3, 4}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(6, 1, -1)"), (Shape{6, 1, 4}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(3, -1, 8)"), (Shape{3, 1, 8}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(-1,)"), (Shape{24}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(-2,)"), (Shape{2, 3, 4}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(2, -2)"), (Shape{2, 3, 4}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(-2, 1, 1)"), (Shape{2, 3, 4, 1, 1}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(-3, 4)"), (Shape{6, 4}));
  EXPECT_EQ(reshaped({2, 3, 4, 5}, "(-3, -3)"), (Shape{6, 20}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(0, -3)"), (Shape{2, 12}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(-3, -2)"), (Shape{6, 4}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(-4, 1, 2, -2)"), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(reshaped({2, 3, 4}, "(2, -4, -1, 3, -2)"), (Shape{2, 1, 3, 4}));
  EXPECT_EQ(reshaped({10, 5, 4}, "(-1, 0)"), (Shape{40, 5}));
  EXPECT_EQ(reshaped({10, 5, 4}, "(-1, 0)", true), (Shape{50, 4}));
  EXPECT_EQ(reshaped({1}, "()"), Shape{});
  EXPECT_EQ(reshaped({0, 3}, "(3, 0, -1)"), (Shape{3, 3, 0}));
  Arr y = run1("reshape", {iota<int8_t>({2, 3})}, {{"shape", "(3, 2)"}});
  EXPECT_EQ(y.values<int8_t>(), (std::vector<int8_t>{0, 1, 2, 3, 4, 5}));
  // The deprecated target_shape: 0 is inferred.
  EXPECT_EQ(run1("Reshape", {iota<float>({2, 3, 4})}, {{"target_shape", "(0, 4)"}}).shape, (Shape{6, 4}));
}

TEST(ShapeOps, ReshapeErrors) {
  expect_error([] { reshaped({2, 3}, "(4, 2)"); }, MXL_ERR_VALUE,
               "Operator Reshape: cannot reshape an input of shape (2, 3) (6 elements) into shape (4, 2)");
  expect_error([] { reshaped({2, 3}, "(-1, -1)"); }, MXL_ERR_VALUE, "more than one -1");
  expect_error([] { reshaped({2, 3}, "(-1, 4)"); }, MXL_ERR_VALUE, "cannot infer");
  expect_error([] { reshaped({6}, "(-4, 4, -1)"); }, MXL_ERR_VALUE, "do not multiply");
  expect_error([] { reshaped({6}, "(-5,)"); }, MXL_ERR_VALUE, "invalid entry -5");
}

TEST(ShapeOps, FlattenExpandSqueeze) {
  Arr y = run1("Flatten", {iota<float>({2, 3, 4})});
  EXPECT_EQ(y.shape, (Shape{2, 12}));
  EXPECT_EQ(y.values<float>()[13], 13.f);
  EXPECT_EQ(run1("flatten", {iota<float>({5})}).shape, (Shape{5, 1}));
  EXPECT_EQ(run1("expand_dims", {iota<float>({2, 3})}, {{"axis", "1"}}).shape, (Shape{2, 1, 3}));
  EXPECT_EQ(run1("expand_dims", {iota<float>({2, 3})}, {{"axis", "-1"}}).shape, (Shape{2, 3, 1}));
  EXPECT_EQ(run1("expand_dims", {iota<float>({})}, {{"axis", "0"}}).shape, (Shape{1}));
  EXPECT_EQ(run1("squeeze", {iota<float>({1, 3, 1})}).shape, (Shape{3}));
  EXPECT_EQ(run1("squeeze", {iota<float>({1, 3, 1})}, {{"axis", "(-1,)"}}).shape, (Shape{1, 3}));
  EXPECT_EQ(run1("squeeze", {iota<float>({1, 1})}).shape, (Shape{1}));  // MXNet legacy
  expect_error([] { run1("squeeze", {iota<float>({1, 3})}, {{"axis", "1"}}); }, MXL_ERR_VALUE,
               "Operator squeeze: argument 'axis' selects axis 1 of the input of shape (1, 3)");
  expect_error([] { run1("expand_dims", {iota<float>({3})}, {{"axis", "3"}}); }, MXL_ERR_INDEX,
               "Operator expand_dims: argument 'axis' is 3");
  expect_error([] { run1("Flatten", {iota<float>({})}); }, MXL_ERR_VALUE, "Flatten");
}

// ---------------------------------------------------------------------------
// slice family
// ---------------------------------------------------------------------------

TEST(ShapeOps, Slice) {
  // x = [[0 1 2 3] [4 5 6 7] [8 9 10 11]]
  Arr y = run1("slice", {iota<float>({3, 4})}, {{"begin", "(1, 1)"}, {"end", "(3, 3)"}});
  EXPECT_EQ(y.shape, (Shape{2, 2}));
  EXPECT_EQ(y.values<float>(), (F{5, 6, 9, 10}));
  y = run1("slice", {iota<float>({3, 4})},
           {{"begin", "(None, -1)"}, {"end", "(None, None)"}, {"step", "(-1, -2)"}});
  EXPECT_EQ(y.shape, (Shape{3, 2}));
  EXPECT_EQ(y.values<float>(), (F{11, 9, 7, 5, 3, 1}));
  y = run1("crop", {iota<int64_t>({3, 4})}, {{"begin", "(0,)"}, {"end", "(100,)"}, {"step", "(2,)"}});
  EXPECT_EQ(y.values<int64_t>(), (I64{0, 1, 2, 3, 8, 9, 10, 11}));
  y = run1("slice", {iota<float>({3, 4})}, {{"begin", "(2,)"}, {"end", "(1,)"}});
  EXPECT_EQ(y.shape, (Shape{0, 4}));
  expect_error([] { run1("slice", {iota<float>({3})}, {{"begin", "(0,)"}, {"end", "(2,)"}, {"step", "(0,)"}}); },
               MXL_ERR_VALUE, "Operator slice: argument 'step' has a zero entry");
  expect_error([] { run1("slice", {iota<float>({3})}, {{"begin", "(0, 0)"}, {"end", "(2, 2)"}}); },
               MXL_ERR_VALUE, "Operator slice: argument 'begin' has 2 entries");
}

TEST(ShapeOps, SliceAxis) {
  Arr y = run1("slice_axis", {iota<float>({3, 4})}, {{"axis", "1"}, {"begin", "1"}, {"end", "-1"}});
  EXPECT_EQ(y.shape, (Shape{3, 2}));
  EXPECT_EQ(y.values<float>(), (F{1, 2, 5, 6, 9, 10}));
  y = run1("slice_axis", {iota<float>({3, 4})}, {{"axis", "-2"}, {"begin", "-1"}, {"end", "None"}});
  EXPECT_EQ(y.values<float>(), (F{8, 9, 10, 11}));
  expect_error([] { run1("slice_axis", {iota<float>({3})}, {{"axis", "1"}, {"begin", "0"}, {"end", "1"}}); },
               MXL_ERR_INDEX, "Operator slice_axis: argument 'axis' is 1");
}

TEST(ShapeOps, SliceAssign) {
  Arr y = run1("_slice_assign", {iota<float>({3, 4}), Arr::of<float>({2, 2}, {-1, -2, -3, -4})},
               {{"begin", "(0, 1)"}, {"end", "(3, 4)"}, {"step", "(2, 2)"}});
  EXPECT_EQ(y.values<float>(), (F{0, -1, 2, -2, 4, 5, 6, 7, 8, -3, 10, -4}));
  y = run1("_slice_assign_scalar", {iota<int32_t>({2, 3})},
           {{"scalar", "9.7"}, {"begin", "(None, -1)"}, {"end", "(None, None)"}, {"step", "(1, -1)"}});
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{9, 9, 9, 9, 9, 9}));
  y = run1("_slice_assign_scalar", {iota<float>({2, 3})}, {{"scalar", "5"}, {"begin", "(1,)"}, {"end", "(2,)"}});
  EXPECT_EQ(y.values<float>(), (F{0, 1, 2, 5, 5, 5}));
  expect_error([] { run1("_slice_assign", {iota<float>({3, 4}), iota<float>({2, 3})},
                         {{"begin", "(0, 0)"}, {"end", "(2, 2)"}}); },
               MXL_ERR_VALUE, "Operator _slice_assign: argument 'rhs' has shape (2, 3)");
}

// ---------------------------------------------------------------------------
// Concat, stack, split
// ---------------------------------------------------------------------------

TEST(ShapeOps, Concat) {
  Arr y = run1("Concat", {iota<float>({2, 2}), Arr::of<float>({2, 1}, {9, 8})}, {{"num_args", "2"}});
  EXPECT_EQ(y.shape, (Shape{2, 3}));
  EXPECT_EQ(y.values<float>(), (F{0, 1, 9, 2, 3, 8}));
  y = run1("concat", {iota<float>({1, 2}), iota<float>({0, 2}), Arr::of<float>({1, 2}, {7, 7})},
           {{"num_args", "3"}, {"dim", "0"}});
  EXPECT_EQ(y.values<float>(), (F{0, 1, 7, 7}));
  y = run1("Concat", {iota<float>({2, 1}), iota<float>({2, 1})}, {{"num_args", "2"}, {"dim", "-1"}});
  EXPECT_EQ(y.values<float>(), (F{0, 0, 1, 1}));
  expect_error([] { run1("Concat", {iota<float>({2, 2}), iota<float>({3, 1})}, {{"num_args", "2"}}); },
               MXL_ERR_VALUE, "Operator Concat: input 1 ('data') has shape (3, 1)");
  expect_error([] { run1("Concat", {iota<float>({2, 2})}, {{"num_args", "2"}}); }, MXL_ERR_VALUE,
               "num_args");
  expect_error([] { run1("Concat", {iota<float>({2}), iota<float>({2})}, {{"num_args", "2"}}); },
               MXL_ERR_INDEX, "Operator Concat: argument 'dim' is 1");
}

TEST(ShapeOps, StackAndSplit) {
  Arr y = run1("stack", {iota<float>({2}), Arr::of<float>({2}, {5, 6})}, {{"num_args", "2"}, {"axis", "1"}});
  EXPECT_EQ(y.shape, (Shape{2, 2}));
  EXPECT_EQ(y.values<float>(), (F{0, 5, 1, 6}));
  y = run1("stack", {iota<float>({2}), Arr::of<float>({2}, {5, 6})}, {{"num_args", "2"}});
  EXPECT_EQ(y.values<float>(), (F{0, 1, 5, 6}));
  expect_error([] { run1("stack", {iota<float>({2}), iota<float>({3})}, {{"num_args", "2"}}); },
               MXL_ERR_VALUE, "Operator stack: input 1 ('data') has shape (3,)");

  std::vector<Arr> parts = run("split", {iota<float>({2, 6})}, {{"num_outputs", "3"}});
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].shape, (Shape{2, 2}));
  EXPECT_EQ(parts[1].values<float>(), (F{2, 3, 8, 9}));
  parts = run("SliceChannel", {iota<float>({2, 3})}, {{"num_outputs", "2"}, {"axis", "0"}, {"squeeze_axis", "1"}});
  EXPECT_EQ(parts[1].shape, (Shape{3}));
  EXPECT_EQ(parts[1].values<float>(), (F{3, 4, 5}));
  expect_error([] { run("split", {iota<float>({2, 5})}, {{"num_outputs", "2"}}); }, MXL_ERR_VALUE,
               "not divisible");
}

// ---------------------------------------------------------------------------
// tile, repeat, reverse, clip, where
// ---------------------------------------------------------------------------

TEST(ShapeOps, TileRepeatReverse) {
  Arr y = run1("tile", {iota<float>({2})}, {{"reps", "(2, 2)"}});
  EXPECT_EQ(y.shape, (Shape{2, 4}));
  EXPECT_EQ(y.values<float>(), (F{0, 1, 0, 1, 0, 1, 0, 1}));
  y = run1("tile", {iota<int8_t>({2, 2})}, {{"reps", "(3,)"}});
  EXPECT_EQ(y.values<int8_t>(), (std::vector<int8_t>{0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3}));
  EXPECT_EQ(run1("tile", {iota<float>({2, 3})}, {{"reps", "(0, 1)"}}).shape, (Shape{0, 3}));
  y = run1("repeat", {iota<float>({2, 2})}, {{"repeats", "2"}});
  EXPECT_EQ(y.shape, (Shape{8}));
  EXPECT_EQ(y.values<float>(), (F{0, 0, 1, 1, 2, 2, 3, 3}));
  y = run1("repeat", {iota<float>({2, 2})}, {{"repeats", "2"}, {"axis", "0"}});
  EXPECT_EQ(y.values<float>(), (F{0, 1, 0, 1, 2, 3, 2, 3}));
  y = run1("reverse", {iota<float>({2, 3})}, {{"axis", "(1,)"}});
  EXPECT_EQ(y.values<float>(), (F{2, 1, 0, 5, 4, 3}));
  y = run1("flip", {iota<double>({2, 3})}, {{"axis", "(0, -1)"}});
  EXPECT_EQ(y.values<double>(), (std::vector<double>{5, 4, 3, 2, 1, 0}));
  expect_error([] { run1("repeat", {iota<float>({2})}, {{"repeats", "-1"}}); }, MXL_ERR_VALUE,
               "Operator repeat: argument 'repeats' is -1");
  expect_error([] { run1("reverse", {iota<float>({2})}, {{"axis", "(1,)"}}); }, MXL_ERR_INDEX,
               "Operator reverse: argument 'axis' is 1");
}

TEST(ShapeOps, Clip) {
  Arr y = run1("clip", {Arr::of<float>({4}, {-2.f, 0.5f, 3.f, NAN})}, {{"a_min", "0"}, {"a_max", "1"}});
  F v = y.values<float>();
  EXPECT_EQ(v[0], 0.f);
  EXPECT_EQ(v[1], 0.5f);
  EXPECT_EQ(v[2], 1.f);
  EXPECT_TRUE(std::isnan(v[3]));
  y = run1("clip", {iota<int32_t>({5})}, {{"a_min", "1"}, {"a_max", "3"}});
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{1, 1, 2, 3, 3}));
  y = run1("clip", {Arr::of<half_t>({2}, {half_t(-3.f), half_t(0.25f)})}, {{"a_min", "-1"}, {"a_max", "1"}});
  EXPECT_EQ(float(y.values<half_t>()[0]), -1.f);
  EXPECT_EQ(float(y.values<half_t>()[1]), 0.25f);
}

TEST(ShapeOps, Where) {
  Arr y = run1("where", {Arr::of<int32_t>({2, 2}, {1, 0, 0, 3}), iota<float>({2, 2}),
                         Arr::of<float>({2, 2}, {9, 9, 9, 9})});
  EXPECT_EQ(y.values<float>(), (F{0, 9, 9, 3}));
  y = run1("where", {Arr::of<float>({2}, {0.f, 2.f}), iota<float>({2, 2}), Arr::of<float>({2, 2}, {9, 9, 9, 9})});
  EXPECT_EQ(y.values<float>(), (F{9, 9, 2, 3}));
  expect_error([] { run1("where", {iota<float>({3}), iota<float>({2, 2}), iota<float>({2, 2})}); },
               MXL_ERR_VALUE, "Operator where: argument 'condition' has shape (3,)");
  expect_error([] { run1("where", {iota<float>({2}), iota<float>({2}), iota<int32_t>({2})}); },
               MXL_ERR_TYPE, "Operator where");
}

// ---------------------------------------------------------------------------
// take, gather_nd, _scatter_set_nd, one_hot
// ---------------------------------------------------------------------------

TEST(IndexingOps, Take) {
  Arr x = iota<float>({3, 2});
  Arr y = run1("take", {x, Arr::of<float>({2}, {2.7f, 0.f})});
  EXPECT_EQ(y.shape, (Shape{2, 2}));
  EXPECT_EQ(y.values<float>(), (F{4, 5, 0, 1}));
  y = run1("take", {x, Arr::of<int64_t>({2, 2}, {-1, 5, 1, 0})});  // clip
  EXPECT_EQ(y.shape, (Shape{2, 2, 2}));
  EXPECT_EQ(y.values<float>(), (F{0, 1, 4, 5, 2, 3, 0, 1}));
  y = run1("take", {x, Arr::of<int32_t>({3}, {-1, 4, 3})}, {{"mode", "wrap"}});
  EXPECT_EQ(y.values<float>(), (F{4, 5, 2, 3, 0, 1}));
  y = run1("take", {x, Arr::of<int32_t>({3}, {1, 1, -2})}, {{"axis", "-1"}, {"mode", "raise"}});
  EXPECT_EQ(y.shape, (Shape{3, 3}));
  EXPECT_EQ(y.values<float>(), (F{1, 1, 0, 3, 3, 2, 5, 5, 4}));
  expect_error([&] { run1("take", {x, Arr::of<int32_t>({2}, {0, 3})}, {{"mode", "raise"}}); }, MXL_ERR_INDEX,
               "Operator take: argument 'indices' contains index 3, out of bounds for axis 0 with size 3");
  expect_error([&] { run1("take", {iota<float>({0, 2}), Arr::of<int32_t>({1}, {0})}); }, MXL_ERR_INDEX, "take");
  EXPECT_EQ(run1("take", {x, Arr::of<int32_t>({0}, {})}).shape, (Shape{0, 2}));
}

TEST(IndexingOps, GatherScatterNd) {
  Arr x = iota<float>({2, 3});
  Arr y = run1("gather_nd", {x, Arr::of<int32_t>({2, 3}, {1, 0, 1, 2, 0, -1})});
  EXPECT_EQ(y.shape, (Shape{3}));
  EXPECT_EQ(y.values<float>(), (F{5, 0, 5}));
  y = run1("gather_nd", {x, Arr::of<int64_t>({1, 2}, {1, 0})});
  EXPECT_EQ(y.shape, (Shape{2, 3}));
  EXPECT_EQ(y.values<float>(), (F{3, 4, 5, 0, 1, 2}));
  expect_error([&] { run1("gather_nd", {x, Arr::of<int64_t>({2, 1}, {0, 3})}); }, MXL_ERR_INDEX,
               "Operator gather_nd: argument 'indices' contains index 3, out of bounds for axis 1");
  expect_error([&] { run1("gather_nd", {x, Arr::of<int64_t>({3, 1}, {0, 0, 0})}); }, MXL_ERR_VALUE,
               "indexes 3 axes");

  y = run1("_scatter_set_nd", {x, Arr::of<float>({2}, {-1, -2}), Arr::of<int64_t>({2, 2}, {0, 1, 2, 0})},
           {{"shape", "(2, 3)"}});
  EXPECT_EQ(y.values<float>(), (F{0, 1, -1, -2, 4, 5}));
  y = run1("_scatter_set_nd", {x, Arr::of<float>({1, 3}, {7, 8, 9}), Arr::of<int32_t>({1, 1}, {1})},
           {{"shape", "(2, 3)"}});
  EXPECT_EQ(y.values<float>(), (F{0, 1, 2, 7, 8, 9}));
  expect_error([&] { run1("_scatter_set_nd", {x, iota<float>({3}), Arr::of<int32_t>({1, 1}, {1})},
                          {{"shape", "(2, 3)"}}); },
               MXL_ERR_VALUE, "Operator _scatter_set_nd: argument 'rhs' has shape (3,)");
}

TEST(IndexingOps, OneHot) {
  Arr y = run1("one_hot", {Arr::of<float>({3}, {1.f, 5.f, 0.f})}, {{"depth", "3"}});
  EXPECT_EQ(y.shape, (Shape{3, 3}));
  EXPECT_EQ(y.dtype, DType::kFloat32);
  EXPECT_EQ(y.values<float>(), (F{0, 1, 0, 0, 0, 0, 1, 0, 0}));
  y = run1("one_hot", {Arr::of<int32_t>({2}, {2, -1})},
           {{"depth", "3"}, {"on_value", "5"}, {"off_value", "-1"}, {"dtype", "int64"}});
  EXPECT_EQ(y.values<int64_t>(), (I64{-1, -1, 5, -1, -1, -1}));
}

TEST(ShapeOps, CopyZerosOnes) {
  Arr x = Arr::of<half_t>({2}, {half_t(1.5f), half_t(-2.f)});
  EXPECT_EQ(float(run1("_copy", {x}).values<half_t>()[1]), -2.f);
  EXPECT_EQ(float(run1("identity", {x}).values<half_t>()[0]), 1.5f);
  EXPECT_EQ(float(run1("zeros_like", {x}).values<half_t>()[0]), 0.f);
  Arr flags = iota<uint8_t>({3});
  flags.dtype = DType::kBool;
  Arr ones = run1("ones_like", {flags});
  EXPECT_EQ(ones.dtype, DType::kBool);
  EXPECT_EQ(ones.bytes, (std::vector<uint8_t>{1, 1, 1}));
  EXPECT_EQ(run1("ones_like", {iota<int64_t>({0})}).shape, (Shape{0}));
}

}  // namespace
}  // namespace mxl
