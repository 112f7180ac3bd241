// Reductions (sum, mean, prod, max, min, nansum, nanprod, argmax, argmin,
// norm), dot, batch_dot and Cast, called through the registry.  Small cases
// are hand-computed; larger ones are checked against naive loops in double.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "operator/registry.h"
#include "op_test_util.h"

namespace mxl {
namespace {

using Attrs = std::map<std::string, std::string>;

// An owning host array for feeding kernels.
struct Array {
  Shape shape;
  DType dtype = DType::kFloat32;
  std::vector<char> bytes;

  TBlob blob() { return TBlob{bytes.data(), shape, dtype}; }
  template <typename T>
  std::vector<T> values() const {
    std::vector<T> v(shape.numel());
    for (size_t i = 0; i < v.size(); ++i) {  // element-wise: std::vector<bool> is packed
      T e;
      std::memcpy(&e, bytes.data() + i * sizeof(T), sizeof(T));
      v[i] = e;
    }
    return v;
  }
};

template <typename T>
Array make(Shape shape, const std::vector<T>& v) {
  EXPECT_EQ(shape.numel(), static_cast<int64_t>(v.size()));
  Array a;
  a.shape = shape;
  a.dtype = TypeToDType<T>::value;
  a.bytes.resize(v.size() * sizeof(T));
  for (size_t i = 0; i < v.size(); ++i) {
    const T e = v[i];
    std::memcpy(a.bytes.data() + i * sizeof(T), &e, sizeof(T));
  }
  return a;
}

// Runs an op through inference and its kernel, like the invoke layer does.
Array run(const std::string& name, std::vector<Array> inputs, const Attrs& attrs = {}) {
  const OpDef* op = Registry::get().find(name);
  EXPECT_NE(op, nullptr) << name;
  Params p(op);
  for (const auto& kv : attrs) p.set(kv.first, kv.second);
  p.check_required();
  std::vector<DType> in_t;
  std::vector<Shape> in_s;
  for (const auto& a : inputs) in_t.push_back(a.dtype), in_s.push_back(a.shape);
  std::vector<DType> out_t(1);
  std::vector<Shape> out_s(1, Shape::unknown());
  if (op->infer_type) op->infer_type(p, &in_t, &out_t);
  else infer_type_same(op->name, &in_t, &out_t);
  op->infer_shape(p, &in_s, &out_s);
  Array out;
  out.shape = out_s[0];
  out.dtype = out_t[0];
  out.bytes.resize(out.shape.numel() * dtype_size(out.dtype) + 1);
  std::vector<TBlob> in_b;
  for (auto& a : inputs) in_b.push_back(a.blob());
  OpContext ctx;
  op->forward(ctx, p, in_b, {out.blob()});
  return out;
}

using testing_util::expect_error;

const float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<float> iota_f(int64_t n, float start = 1) {
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = start + static_cast<float>(i);
  return v;
}

// ---------------------------------------------------------------------------
// Naive oracle: reduce a C-order array over a mask of axes, in double.
// ---------------------------------------------------------------------------

enum class Kind { kSum, kMean, kProd, kMax, kMin };

std::vector<double> naive_reduce(const Shape& s, const std::vector<double>& x, unsigned mask,
                                 Kind kind) {
  const int nd = s.ndim();
  int64_t out_n = 1;
  for (int d = 0; d < nd; ++d)
    if (!(mask >> d & 1)) out_n *= s[d];
  std::vector<double> acc(out_n), cnt(out_n, 0);
  for (auto& a : acc)
    a = kind == Kind::kProd ? 1 : kind == Kind::kMax ? -INFINITY : kind == Kind::kMin ? INFINITY : 0;
  for (int64_t i = 0; i < s.numel(); ++i) {
    int64_t rem = i, o = 0, scale = 1;
    for (int d = nd - 1; d >= 0; --d) {
      const int64_t idx = rem % s[d];
      rem /= s[d];
      if (!(mask >> d & 1)) o += idx * scale, scale *= s[d];
    }
    double& a = acc[o];
    cnt[o] += 1;
    switch (kind) {
      case Kind::kSum: case Kind::kMean: a += x[i]; break;
      case Kind::kProd: a *= x[i]; break;
      case Kind::kMax: a = std::max(a, x[i]); break;
      case Kind::kMin: a = std::min(a, x[i]); break;
    }
  }
  if (kind == Kind::kMean)
    for (int64_t o = 0; o < out_n; ++o) acc[o] /= cnt[o];
  return acc;
}

std::string axes_text(unsigned mask, int nd) {
  std::string t = "(";
  for (int d = 0; d < nd; ++d)
    if (mask >> d & 1) t += std::to_string(d) + ",";
  return t + ")";
}

// ---------------------------------------------------------------------------
// sum family
// ---------------------------------------------------------------------------

TEST(ReduceOps, RegisteredWithMXNetNamesAndParams) {
  for (const char* name : {"sum", "sum_axis", "mean", "prod", "max", "max_axis", "min",
                           "min_axis", "nansum", "nanprod", "argmax", "argmin", "norm", "dot",
                           "batch_dot", "Cast", "cast"})
    EXPECT_NE(Registry::get().find(name), nullptr) << name;
  const OpDef* sum = Registry::get().find("sum");
  ASSERT_EQ(sum->params.size(), 3u);
  EXPECT_EQ(sum->params[0].name, "axis");
  EXPECT_TRUE(sum->params[0].optional);
  EXPECT_EQ(sum->params[0].default_text, "None");
  EXPECT_EQ(sum->params[1].name, "keepdims");
  EXPECT_EQ(sum->params[2].name, "exclude");
  EXPECT_EQ(Registry::get().find("cast"), Registry::get().find("Cast"));
  EXPECT_TRUE(Registry::get().find("Cast")->params[0].required);
}

TEST(ReduceOps, SumHandComputed) {
  Array x = make<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Array all = run("sum", {x});
  EXPECT_EQ(all.shape, (Shape{1}));
  EXPECT_EQ(all.values<float>(), (std::vector<float>{21}));
  EXPECT_EQ(run("sum", {x}, {{"axis", "0"}}).values<float>(), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(run("sum", {x}, {{"axis", "1"}}).values<float>(), (std::vector<float>{6, 15}));
  Array kd = run("sum", {x}, {{"axis", "-1"}, {"keepdims", "True"}});
  EXPECT_EQ(kd.shape, (Shape{2, 1}));
  EXPECT_EQ(kd.values<float>(), (std::vector<float>{6, 15}));
  EXPECT_EQ(run("sum", {x}, {{"axis", "0"}, {"exclude", "True"}}).values<float>(),
            (std::vector<float>{6, 15}));
  EXPECT_EQ(run("sum", {x}, {{"axis", "()"}}).values<float>(), (std::vector<float>{21}));
  Array kd_all = run("sum", {x}, {{"keepdims", "True"}});
  EXPECT_EQ(kd_all.shape, (Shape{1, 1}));
  // Listing every axis gives (1,), not a 0-d array (legacy MXNet).
  EXPECT_EQ(run("sum", {x}, {{"axis", "(0, 1)"}}).shape, (Shape{1}));
  // Excluding every axis reduces nothing.
  Array none = run("sum", {x}, {{"axis", "(0, 1)"}, {"exclude", "True"}});
  EXPECT_EQ(none.shape, (Shape{2, 3}));
  EXPECT_EQ(none.values<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(run("mean", {x}, {{"axis", "0"}}).values<float>(), (std::vector<float>{2.5, 3.5, 4.5}));
  EXPECT_EQ(run("prod", {x}, {{"axis", "1"}}).values<float>(), (std::vector<float>{6, 120}));
  EXPECT_EQ(run("max", {x}, {{"axis", "0"}}).values<float>(), (std::vector<float>{4, 5, 6}));
  EXPECT_EQ(run("min", {x}, {{"axis", "1"}}).values<float>(), (std::vector<float>{1, 4}));
  EXPECT_EQ(run("sum_axis", {x}, {{"axis", "1"}}).values<float>(), (std::vector<float>{6, 15}));
}

TEST(ReduceOps, EveryAxisCombinationMatchesNaiveLoop) {
  for (Shape s : {Shape{2, 3, 4}, Shape{3, 1, 5, 2}, Shape{4, 700}, Shape{700, 3}, Shape{2, 600, 3}}) {
    const int nd = s.ndim();
    std::vector<double> xd(s.numel());
    std::vector<double> xs(s.numel());
    for (int64_t i = 0; i < s.numel(); ++i) {
      xd[i] = std::sin(0.37 * i) * 3.0;
      xs[i] = 1.0 + 0.001 * std::cos(1.3 * i);  // prod-friendly
    }
    for (unsigned mask = 1; mask < (1u << nd); ++mask) {
      const std::string axes = axes_text(mask, nd);
      for (auto [op, kind] : {std::pair{"sum", Kind::kSum}, {"mean", Kind::kMean},
                              {"max", Kind::kMax}, {"min", Kind::kMin}, {"prod", Kind::kProd}}) {
        const auto& src = kind == Kind::kProd ? xs : xd;
        const auto expect = naive_reduce(s, src, mask, kind);
        Array got = run(op, {make<double>(s, src)}, {{"axis", axes}, {"keepdims", "True"}});
        ASSERT_EQ(got.shape.numel(), static_cast<int64_t>(expect.size())) << op << axes;
        auto v = got.values<double>();
        for (size_t i = 0; i < v.size(); ++i)
          ASSERT_NEAR(v[i], expect[i], 1e-9 * (1 + std::fabs(expect[i]))) << op << " " << axes << " " << i;
        // float32 and int32 run the same plan with other accumulators.
        std::vector<float> xf(src.begin(), src.end());
        auto vf = run(op, {make<float>(s, xf)}, {{"axis", axes}}).values<float>();
        for (size_t i = 0; i < vf.size(); ++i)
          ASSERT_NEAR(vf[i], expect[i], 2e-4 * (1 + std::fabs(expect[i]))) << op << axes;
      }
      std::vector<int32_t> xi(s.numel());
      std::vector<double> xid(s.numel());
      for (int64_t i = 0; i < s.numel(); ++i) xid[i] = xi[i] = static_cast<int32_t>(i % 17) - 8;
      auto expect = naive_reduce(s, xid, mask, Kind::kSum);
      auto vi = run("sum", {make<int32_t>(s, xi)}, {{"axis", axes}}).values<int32_t>();
      for (size_t i = 0; i < vi.size(); ++i) ASSERT_EQ(vi[i], expect[i]) << axes;
    }
  }
}

TEST(ReduceOps, LongFloat32SumIsAccurate) {
  // 2^22 + 7 elements of 0.1f: a sequential float sum is off by ~1%.
  const int64_t n = (1 << 22) + 7;
  std::vector<float> x(n, 0.1f);
  const double expect = static_cast<double>(0.1f) * n;
  const float got = run("sum", {make<float>({n}, x)}).values<float>()[0];
  EXPECT_NEAR(got, expect, expect * 1e-6);
  // Column sums over many rows take the row-splitting parallel path.
  const int64_t rows = 300000;
  std::vector<float> y(rows * 3);
  for (int64_t i = 0; i < rows * 3; ++i) y[i] = static_cast<float>(i % 3 + 1);
  auto cols = run("sum", {make<float>({rows, 3}, y)}, {{"axis", "0"}}).values<float>();
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(cols[j], rows * (j + 1.0), rows * (j + 1.0) * 1e-5);
  auto mean = run("mean", {make<float>({n}, x)}).values<float>();
  EXPECT_NEAR(mean[0], 0.1f, 1e-7);
}

TEST(ReduceOps, LargeInputsTakeEveryParallelPath) {
  // Big enough that each kernel splits its work between threads: few
  // outputs with reduced blocks both inside and outside (segment rows), few
  // wide column tiles, and many outputs.
  for (Shape s : {Shape{100000, 2, 3}, Shape{3, 50000, 5}, Shape{7, 9000, 11}}) {
    std::vector<double> xd(s.numel());
    for (int64_t i = 0; i < s.numel(); ++i) xd[i] = std::sin(0.1 * i) + 0.25;
    std::vector<float> xf(xd.begin(), xd.end());
    for (unsigned mask : {1u, 2u, 4u, 5u, 3u, 6u}) {
      const std::string axes = axes_text(mask, 3);
      for (auto [op, kind] : {std::pair{"sum", Kind::kSum}, {"max", Kind::kMax}, {"min", Kind::kMin}}) {
        std::vector<double> xr(xf.begin(), xf.end());
        const auto expect = naive_reduce(s, xr, mask, kind);
        auto got = run(op, {make<float>(s, xf)}, {{"axis", axes}}).values<float>();
        ASSERT_EQ(got.size(), expect.size());
        for (size_t i = 0; i < got.size(); ++i)
          ASSERT_NEAR(got[i], expect[i], 1e-5 * (100 + std::fabs(expect[i]))) << op << axes << i;
      }
    }
  }
}

TEST(ReduceOps, IntegerSemantics) {
  // Sums wrap in the input dtype, like NumPy's wide sum cast back.
  EXPECT_EQ(run("sum", {make<int8_t>({2}, {100, 100})}).values<int8_t>()[0], -56);
  EXPECT_EQ(run("sum", {make<uint8_t>({2}, {200, 100})}).values<uint8_t>()[0], 44);
  EXPECT_EQ(run("prod", {make<int64_t>({3}, {-2, 3, 5})}).values<int64_t>()[0], -30);
  // Mean: exact sum, division truncating toward zero.
  EXPECT_EQ(run("mean", {make<int32_t>({2}, {1, 2})}).values<int32_t>()[0], 1);
  EXPECT_EQ(run("mean", {make<int32_t>({2}, {-3, -4})}).values<int32_t>()[0], -3);
  EXPECT_EQ(run("mean", {make<int8_t>({2}, {100, 100})}).values<int8_t>()[0], 100);
  EXPECT_EQ(run("max", {make<int8_t>({3}, {-128, 5, -7})}).values<int8_t>()[0], 5);
  EXPECT_EQ(run("min", {make<uint8_t>({3}, {9, 255, 3})}).values<uint8_t>()[0], 3);
  EXPECT_EQ(run("nansum", {make<int32_t>({3}, {1, 2, 3})}).values<int32_t>()[0], 6);
}

TEST(ReduceOps, Float16AccumulatesInFloat) {
  // 4096 halves of 1.0: a half accumulator would stop at 2048.
  std::vector<half_t> x(4096, half_t(1.0f));
  EXPECT_EQ(float(run("sum", {make<half_t>({4096}, x)}).values<half_t>()[0]), 4096.0f);
  std::vector<half_t> y = {half_t(1.5f), half_t(-2.0f), half_t(4.0f)};
  EXPECT_EQ(float(run("max", {make<half_t>({3}, y)}).values<half_t>()[0]), 4.0f);
  EXPECT_EQ(float(run("mean", {make<half_t>({3}, y)}).values<half_t>()[0]), float(half_t(3.5f / 3)));
}

TEST(ReduceOps, NaNHandling) {
  Array x = make<float>({2, 3}, {1, kNaN, 3, 4, 5, 6});
  auto mx = run("max", {x}, {{"axis", "1"}}).values<float>();
  EXPECT_TRUE(std::isnan(mx[0]));
  EXPECT_EQ(mx[1], 6);
  auto mn = run("min", {x}, {{"axis", "0"}}).values<float>();
  EXPECT_EQ(mn[0], 1);
  EXPECT_TRUE(std::isnan(mn[1]));
  EXPECT_TRUE(std::isnan(run("sum", {x}).values<float>()[0]));
  EXPECT_EQ(run("nansum", {x}).values<float>()[0], 19);
  EXPECT_EQ(run("nanprod", {x}, {{"axis", "1"}}).values<float>(), (std::vector<float>{3, 120}));
  // A NaN found by one lane survives the combination with the others.
  std::vector<float> big(1000, 1.0f);
  big[777] = kNaN;
  EXPECT_TRUE(std::isnan(run("max", {make<float>({1000}, big)}).values<float>()[0]));
  EXPECT_TRUE(std::isnan(run("min", {make<float>({1000}, big)}).values<float>()[0]));
}

TEST(ReduceOps, EmptyAndZeroDim) {
  Array e = make<float>({0, 3}, {});
  Array s = run("sum", {e}, {{"axis", "0"}});
  EXPECT_EQ(s.shape, (Shape{3}));
  EXPECT_EQ(s.values<float>(), (std::vector<float>{0, 0, 0}));
  EXPECT_EQ(run("prod", {e}, {{"axis", "0"}}).values<float>(), (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(run("sum", {e}, {{"axis", "1"}}).shape, (Shape{0}));
  EXPECT_TRUE(std::isnan(run("mean", {e}).values<float>()[0]));
  EXPECT_EQ(run("max", {e}, {{"axis", "1"}}).shape, (Shape{0}));
  expect_error([&] { run("max", {e}, {{"axis", "0"}}); }, MXL_ERR_VALUE, "max");
  expect_error([&] { run("min", {e}); }, MXL_ERR_VALUE, "empty");
  Array z = make<float>(Shape{}, {7});
  Array zs = run("sum", {z});
  EXPECT_EQ(zs.shape, (Shape{1}));
  EXPECT_EQ(zs.values<float>()[0], 7);
  EXPECT_EQ(run("sum", {z}, {{"keepdims", "True"}}).shape, Shape{});
}

TEST(ReduceOps, Errors) {
  Array x = make<float>({2, 3}, iota_f(6));
  expect_error([&] { run("sum", {x}, {{"axis", "2"}}); }, MXL_ERR_INDEX, "Operator sum");
  expect_error([&] { run("mean", {x}, {{"axis", "-3"}}); }, MXL_ERR_INDEX, "'axis'");
  expect_error([&] { run("sum", {x}, {{"axis", "(1, -1)"}}); }, MXL_ERR_VALUE, "more than once");
  expect_error([&] { run("sum", {make<bool>({2}, {true, false})}); }, MXL_ERR_TYPE, "bool");
  expect_error([&] { run("sum", {make<float>(Shape{}, {1})}, {{"axis", "0"}}); }, MXL_ERR_INDEX,
               "axis");
}

// ---------------------------------------------------------------------------
// argmax / argmin
// ---------------------------------------------------------------------------

TEST(ArgOps, HandComputed) {
  Array x = make<float>({2, 3}, {1, 5, 5, 7, 2, 7});
  EXPECT_EQ(run("argmax", {x}, {{"axis", "1"}}).values<float>(), (std::vector<float>{1, 0}));
  EXPECT_EQ(run("argmax", {x}, {{"axis", "0"}}).values<float>(), (std::vector<float>{1, 0, 1}));
  Array flat = run("argmax", {x});
  EXPECT_EQ(flat.shape, (Shape{1}));
  EXPECT_EQ(flat.values<float>()[0], 3);
  EXPECT_EQ(run("argmin", {x}, {{"axis", "-1"}}).values<float>(), (std::vector<float>{0, 1}));
  Array kd = run("argmax", {x}, {{"axis", "1"}, {"keepdims", "True"}});
  EXPECT_EQ(kd.shape, (Shape{2, 1}));
  EXPECT_EQ(run("argmax", {x}, {{"keepdims", "True"}}).shape, (Shape{1, 1}));
  EXPECT_EQ(run("argmax", {make<float>({4}, {1, 3, 2, 3})}, {{"axis", "0"}}).shape, (Shape{1}));
  // NaN wins, first occurrence.
  EXPECT_EQ(run("argmax", {make<float>({4}, {1, kNaN, 3, kNaN})}).values<float>()[0], 1);
  EXPECT_EQ(run("argmin", {make<float>({4}, {1, 0, kNaN, kNaN})}).values<float>()[0], 2);
  // Indices come back in the input dtype.
  Array xi = make<int32_t>({3}, {4, -9, 8});
  Array ai = run("argmin", {xi});
  EXPECT_EQ(ai.dtype, DType::kInt32);
  EXPECT_EQ(ai.values<int32_t>()[0], 1);
}

TEST(ArgOps, LargeAndTiledMatchNaive) {
  const int64_t n = 1 << 20;
  std::vector<float> x(n);
  for (int64_t i = 0; i < n; ++i) x[i] = std::sin(0.001 * i);
  x[654321] = 5;
  x[900000] = 5;  // a later tie loses
  EXPECT_EQ(run("argmax", {make<float>({n}, x)}).values<float>()[0], 654321);
  // (outer, rows, inner) with inner wider than one tile.
  const int64_t O = 3, R = 7, I = 600;
  std::vector<double> y(O * R * I);
  for (size_t i = 0; i < y.size(); ++i) y[i] = std::cos(0.7 * i);
  auto got = run("argmin", {make<double>({O, R, I}, y)}, {{"axis", "1"}}).values<double>();
  for (int64_t o = 0; o < O; ++o)
    for (int64_t j = 0; j < I; ++j) {
      int64_t best = 0;
      for (int64_t r = 1; r < R; ++r)
        if (y[(o * R + r) * I + j] < y[(o * R + best) * I + j]) best = r;
      ASSERT_EQ(got[o * I + j], best);
    }
}

TEST(ArgOps, Errors) {
  Array x = make<float>({2, 3}, iota_f(6));
  expect_error([&] { run("argmax", {x}, {{"axis", "2"}}); }, MXL_ERR_INDEX, "argmax");
  expect_error([&] { run("argmax", {make<float>({2, 0}, {})}, {{"axis", "1"}}); }, MXL_ERR_VALUE,
               "empty");
  expect_error([&] { run("argmin", {make<bool>({1}, {true})}); }, MXL_ERR_TYPE, "argmin");
}

// ---------------------------------------------------------------------------
// norm
// ---------------------------------------------------------------------------

TEST(NormOp, HandComputedAndOverflowSafe) {
  Array x = make<float>({2, 2}, {3, -4, 0, 5});
  EXPECT_NEAR(run("norm", {x}).values<float>()[0], std::sqrt(50.0f), 1e-6);
  EXPECT_EQ(run("norm", {x}, {{"ord", "1"}}).values<float>()[0], 12);
  EXPECT_EQ(run("norm", {x}, {{"axis", "1"}}).values<float>(), (std::vector<float>{5, 5}));
  EXPECT_EQ(run("norm", {x}, {{"axis", "0"}, {"ord", "1"}, {"keepdims", "True"}}).shape,
            (Shape{1, 2}));
  Array d = run("norm", {x}, {{"out_dtype", "float64"}});
  EXPECT_EQ(d.dtype, DType::kFloat64);
  EXPECT_NEAR(d.values<double>()[0], std::sqrt(50.0), 1e-6);
  // Squares that overflow (or underflow) the dtype itself.
  EXPECT_EQ(float(run("norm", {make<half_t>({2}, {half_t(300.f), half_t(400.f)})}).values<half_t>()[0]),
            500.0f);
  EXPECT_NEAR(run("norm", {make<float>({2}, {3e30f, 4e30f})}).values<float>()[0], 5e30f, 1e24f);
  EXPECT_NEAR(run("norm", {make<double>({2}, {3e200, 4e200})}).values<double>()[0], 5e200, 1e186);
  EXPECT_NEAR(run("norm", {make<double>({2}, {3e-200, 4e-200})}).values<double>()[0], 5e-200,
              1e-214);
  EXPECT_NEAR(run("norm", {make<float>({2}, {3e-30f, 4e-30f})}).values<float>()[0], 5e-30f, 1e-36f);
  EXPECT_EQ(run("norm", {make<float>({3}, {0, 0, 0})}).values<float>()[0], 0.0f);
  // With a float64 output the careful pass's double result is kept unrounded.
  EXPECT_NEAR(run("norm", {make<float>({2}, {3e30f, 4e30f})}, {{"out_dtype", "float64"}})
                  .values<double>()[0],
              std::hypot(double(3e30f), double(4e30f)), 1e18);
  EXPECT_EQ(run("norm", {make<int32_t>({2}, {3, 4})}).values<int32_t>()[0], 5);
  expect_error([&] { run("norm", {x}, {{"ord", "3"}}); }, MXL_ERR_VALUE, "'ord'");
  expect_error([&] { run("norm", {x}, {{"axis", "5"}}); }, MXL_ERR_INDEX, "norm");
}

// ---------------------------------------------------------------------------
// dot / batch_dot
// ---------------------------------------------------------------------------

// C = op(A) op(B) with A, B as stored row-major matrices, in double.
std::vector<double> naive_mm(const std::vector<double>& A, const std::vector<double>& B, int64_t M,
                             int64_t N, int64_t K, bool ta, bool tb) {
  std::vector<double> C(M * N, 0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k)
        C[m * N + n] += (ta ? A[k * M + m] : A[m * K + k]) * (tb ? B[n * K + k] : B[k * N + n]);
  return C;
}

std::vector<double> wave(int64_t n, double f) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = std::sin(f * (i + 1));
  return v;
}

TEST(DotOp, HandComputed) {
  Array a = make<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Array b = make<float>({3, 2}, {7, 8, 9, 10, 11, 12});
  Array c = run("dot", {a, b});
  EXPECT_EQ(c.shape, (Shape{2, 2}));
  EXPECT_EQ(c.values<float>(), (std::vector<float>{58, 64, 139, 154}));
  // transpose_a: a^T (3x2) . a (2x3)
  Array ata = run("dot", {a, a}, {{"transpose_a", "True"}});
  EXPECT_EQ(ata.shape, (Shape{3, 3}));
  EXPECT_EQ(ata.values<float>(), (std::vector<float>{17, 22, 27, 22, 29, 36, 27, 36, 45}));
  Array aat = run("dot", {a, a}, {{"transpose_b", "True"}});
  EXPECT_EQ(aat.values<float>(), (std::vector<float>{14, 32, 32, 77}));
  Array v = make<float>({3}, {1, 0, -1});
  Array inner = run("dot", {v, v});
  EXPECT_EQ(inner.shape, (Shape{1}));
  EXPECT_EQ(inner.values<float>()[0], 2);
  Array mv = run("dot", {a, v});
  EXPECT_EQ(mv.shape, (Shape{2}));
  EXPECT_EQ(mv.values<float>(), (std::vector<float>{-2, -2}));
  Array vm = run("dot", {v, b});
  EXPECT_EQ(vm.shape, (Shape{2}));
  EXPECT_EQ(vm.values<float>(), (std::vector<float>{-4, -4}));
  Array w = make<float>({2}, {1, 1});
  EXPECT_EQ(run("dot", {w, a}).values<float>(), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(run("dot", {a, w}, {{"transpose_a", "True"}}).values<float>(),
            (std::vector<float>{5, 7, 9}));
  // Integer and half products.
  Array ai = make<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  Array bi = make<int32_t>({3, 2}, {7, 8, 9, 10, 11, 12});
  EXPECT_EQ(run("dot", {ai, bi}).values<int32_t>(), (std::vector<int32_t>{58, 64, 139, 154}));
  Array c8 = run("dot", {make<int8_t>({1, 2}, {100, 100}), make<int8_t>({2, 1}, {2, 1})});
  EXPECT_EQ(c8.values<int8_t>()[0], static_cast<int8_t>(300));
  // Empty contraction gives zeros; empty outputs are fine.
  Array z = run("dot", {make<float>({2, 0}, {}), make<float>({0, 3}, {})});
  EXPECT_EQ(z.values<float>(), std::vector<float>(6, 0));
  EXPECT_EQ(run("dot", {make<float>({0, 2}, {}), make<float>({2, 3}, iota_f(6))}).shape,
            (Shape{0, 3}));
}

TEST(DotOp, NdAndLargeMatchNaive) {
  struct Case {
    Shape l, r;
    bool ta, tb;
    int64_t M, N, K;
  };
  for (const Case& c : {Case{{2, 2, 3}, {3, 4}, false, false, 4, 4, 3},
                        Case{{3, 2, 2}, {3, 5}, true, false, 4, 5, 3},
                        Case{{2, 5}, {4, 3, 5}, false, true, 2, 12, 5},
                        Case{{70, 50}, {50, 90}, false, false, 70, 90, 50},
                        Case{{50, 70}, {90, 50}, true, true, 70, 90, 50},
                        Case{{64, 300}, {300}, false, false, 64, 1, 300},
                        Case{{300}, {64, 300}, false, true, 1, 64, 300}}) {
    const auto A = wave(c.l.numel(), 0.3), B = wave(c.r.numel(), 0.7);
    const auto expect = naive_mm(A, B, c.M, c.N, c.K, c.ta, c.tb);
    const Attrs attrs{{"transpose_a", c.ta ? "True" : "False"},
                      {"transpose_b", c.tb ? "True" : "False"}};
    auto got = run("dot", {make<double>(c.l, A), make<double>(c.r, B)}, attrs);
    ASSERT_EQ(got.shape.numel(), c.M * c.N);
    auto gd = got.values<double>();
    for (size_t i = 0; i < gd.size(); ++i) ASSERT_NEAR(gd[i], expect[i], 1e-9) << c.l.str();
    std::vector<float> Af(A.begin(), A.end()), Bf(B.begin(), B.end());
    auto gf = run("dot", {make<float>(c.l, Af), make<float>(c.r, Bf)}, attrs).values<float>();
    for (size_t i = 0; i < gf.size(); ++i) ASSERT_NEAR(gf[i], expect[i], 1e-4) << c.l.str();
    std::vector<half_t> Ah(A.begin(), A.end()), Bh(B.begin(), B.end());
    auto gh = run("dot", {make<half_t>(c.l, Ah), make<half_t>(c.r, Bh)}, attrs).values<half_t>();
    for (size_t i = 0; i < gh.size(); ++i)
      ASSERT_NEAR(float(gh[i]), expect[i], 0.05 + 2e-3 * std::fabs(expect[i])) << c.l.str();
    std::vector<int64_t> Ai(A.size()), Bi(B.size());
    std::vector<double> Aid(A.size()), Bid(B.size());
    for (size_t i = 0; i < A.size(); ++i) Aid[i] = Ai[i] = static_cast<int64_t>(A[i] * 10);
    for (size_t i = 0; i < B.size(); ++i) Bid[i] = Bi[i] = static_cast<int64_t>(B[i] * 10);
    const auto expect_i = naive_mm(Aid, Bid, c.M, c.N, c.K, c.ta, c.tb);
    auto gi = run("dot", {make<int64_t>(c.l, Ai), make<int64_t>(c.r, Bi)}, attrs).values<int64_t>();
    for (size_t i = 0; i < gi.size(); ++i) ASSERT_EQ(gi[i], expect_i[i]) << c.l.str();
  }
}

TEST(DotOp, Errors) {
  Array a = make<float>({2, 3}, iota_f(6));
  expect_error([&] { run("dot", {a, a}); }, MXL_ERR_VALUE, "(2, 3)");
  expect_error([&] { run("dot", {make<float>({3}, iota_f(3)), make<float>({4}, iota_f(4))}); },
               MXL_ERR_VALUE, "Operator dot");
  expect_error([&] {
    run("dot", {make<float>({3}, iota_f(3)), make<float>({3}, iota_f(3))}, {{"transpose_a", "1"}});
  }, MXL_ERR_VALUE, "1-d");
  expect_error([&] { run("dot", {a, make<double>({3, 2}, std::vector<double>(6))}); },
               MXL_ERR_TYPE, "dot");
  expect_error([&] { run("dot", {make<float>(Shape{}, {1}), a}); }, MXL_ERR_VALUE, "0-d");
}

TEST(BatchDotOp, MatchesNaivePerBatch) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (auto [B, M, N, K] : {std::tuple<int64_t, int64_t, int64_t, int64_t>{3, 2, 4, 5},
                                {5, 70, 65, 80}, {2, 1, 7, 3}}) {
        const Shape ls = ta ? Shape{B, K, M} : Shape{B, M, K};
        const Shape rs = tb ? Shape{B, N, K} : Shape{B, K, N};
        const auto A = wave(ls.numel(), 0.11), Bv = wave(rs.numel(), 0.23);
        Array got = run("batch_dot", {make<double>(ls, A), make<double>(rs, Bv)},
                        {{"transpose_a", ta ? "True" : "False"},
                         {"transpose_b", tb ? "True" : "False"}});
        ASSERT_EQ(got.shape, (Shape{B, M, N}));
        auto g = got.values<double>();
        for (int64_t b = 0; b < B; ++b) {
          std::vector<double> a(A.begin() + b * M * K, A.begin() + (b + 1) * M * K);
          std::vector<double> bb(Bv.begin() + b * K * N, Bv.begin() + (b + 1) * K * N);
          auto e = naive_mm(a, bb, M, N, K, ta, tb);
          for (int64_t i = 0; i < M * N; ++i) ASSERT_NEAR(g[b * M * N + i], e[i], 1e-9);
        }
      }
  Array nd = run("batch_dot", {make<float>({2, 2, 1, 2}, iota_f(8)), make<float>({2, 2, 2, 1}, iota_f(8))});
  EXPECT_EQ(nd.shape, (Shape{2, 2, 1, 1}));
  EXPECT_EQ(nd.values<float>(), (std::vector<float>{5, 25, 61, 113}));
}

TEST(BatchDotOp, Errors) {
  Array a = make<float>({2, 2, 3}, iota_f(12));
  expect_error([&] { run("batch_dot", {a, a}); }, MXL_ERR_VALUE, "batch_dot");
  expect_error([&] { run("batch_dot", {a, make<float>({3, 3, 2}, iota_f(18))}); }, MXL_ERR_VALUE,
               "batch");
  expect_error([&] { run("batch_dot", {make<float>({2, 3}, iota_f(6)), make<float>({3, 2}, iota_f(6))}); },
               MXL_ERR_VALUE, ">= 3");
}

// ---------------------------------------------------------------------------
// Cast
// ---------------------------------------------------------------------------

TEST(CastOp, NumPyAstypeSemantics) {
  Array x = make<float>({5}, {1.7f, -1.7f, kNaN, 300.f, -1.f});
  Array i32 = run("Cast", {x}, {{"dtype", "int32"}});
  EXPECT_EQ(i32.dtype, DType::kInt32);
  EXPECT_EQ(i32.values<int32_t>(), (std::vector<int32_t>{1, -1, 0, 300, -1}));
  EXPECT_EQ(run("cast", {x}, {{"dtype", "uint8"}}).values<uint8_t>(),
            (std::vector<uint8_t>{1, 255, 0, 44, 255}));
  EXPECT_EQ(run("Cast", {x}, {{"dtype", "bool"}}).values<bool>(),
            (std::vector<bool>{true, true, true, true, true}));
  EXPECT_EQ(run("Cast", {make<float>({2}, {1e20f, -1e20f})}, {{"dtype", "int32"}}).values<int32_t>(),
            (std::vector<int32_t>{INT32_MAX, INT32_MIN}));
  EXPECT_EQ(run("Cast", {make<int32_t>({3}, {300, -1, 7})}, {{"dtype", "int8"}}).values<int8_t>(),
            (std::vector<int8_t>{44, -1, 7}));
  EXPECT_EQ(run("Cast", {make<bool>({2}, {true, false})}, {{"dtype", "float64"}}).values<double>(),
            (std::vector<double>{1, 0}));
  EXPECT_EQ(run("Cast", {make<int64_t>({2}, {0, -5})}, {{"dtype", "bool"}}).values<bool>(),
            (std::vector<bool>{false, true}));
  // float16 rounds to nearest even: 2049 lies halfway between 2048 and 2050.
  auto h = run("Cast", {make<float>({3}, {2049.f, 2051.f, 70000.f})}, {{"dtype", "float16"}})
               .values<half_t>();
  EXPECT_EQ(float(h[0]), 2048.f);
  EXPECT_EQ(float(h[1]), 2052.f);
  EXPECT_TRUE(std::isinf(float(h[2])));
  // 1 + 2^-11 + 2^-40 is just above a half-precision tie; going through a
  // nearest-rounded float32 would land on the tie and round down to 1.
  const double d = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  EXPECT_EQ(float(run("Cast", {make<double>({1}, {d})}, {{"dtype", "float16"}}).values<half_t>()[0]),
            1.0f + std::ldexp(1.0f, -10));
  EXPECT_EQ(run("Cast", {make<half_t>({2}, {half_t(-2.5f), half_t(3.75f)})}, {{"dtype", "int64"}})
                .values<int64_t>(),
            (std::vector<int64_t>{-2, 3}));
}

TEST(CastOp, VectorHalfPathsMatchScalar) {
  const int64_t n = 1000;  // not a multiple of 8: tails run too
  std::vector<float> x(n);
  for (int64_t i = 0; i < n; ++i) x[i] = std::ldexp(std::sin(0.1 * i), static_cast<int>(i % 40) - 25);
  x[5] = kNaN;
  auto h = run("Cast", {make<float>({n}, x)}, {{"dtype", "float16"}}).values<half_t>();
  for (int64_t i = 0; i < n; ++i) {
    if (i == 5) {
      EXPECT_TRUE(std::isnan(float(h[i])));
      continue;
    }
    ASSERT_EQ(h[i].bits, half_t(x[i]).bits) << x[i];
  }
  auto back = run("Cast", {make<half_t>({n}, h)}, {{"dtype", "float32"}}).values<float>();
  for (int64_t i = 0; i < n; ++i)
    if (i != 5) ASSERT_EQ(back[i], float(h[i]));
  Array same = run("Cast", {make<float>({n}, x)}, {{"dtype", "float32"}});
  EXPECT_EQ(std::memcmp(same.bytes.data(), x.data(), n * 4), 0);
}

TEST(CastOp, Errors) {
  const OpDef* op = Registry::get().find("Cast");
  Params p(op);
  expect_error([&] { p.check_required(); }, MXL_ERR_VALUE, "dtype");
  expect_error([&] { p.set("dtype", "complex64"); }, MXL_ERR_VALUE, "Cast");
}

}  // namespace
}  // namespace mxl
