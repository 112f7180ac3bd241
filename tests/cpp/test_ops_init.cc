// Array-creation and random ops, called through the registry on small cases
// whose results are computed by hand (or, for random ops, checked against
// the distribution's known moments and ranges).
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "operator/registry.h"

namespace mxl {
namespace {

using Attrs = std::vector<std::pair<std::string, std::string>>;

// An op's output in a host buffer.
struct Result {
  Shape shape;
  DType dtype = DType::kFloat32;
  std::vector<char> bytes;

  int64_t numel() const { return shape.numel(); }
  template <typename T>
  std::vector<T> as() const {
    std::vector<T> v(static_cast<size_t>(numel()));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
    return v;
  }
  // Every element as double, whatever the dtype.
  std::vector<double> values() const {
    std::vector<double> v;
    MXL_TYPE_SWITCH(dtype, DT, {
      const DT* p = reinterpret_cast<const DT*>(bytes.data());
      for (int64_t i = 0; i < numel(); ++i) v.push_back(static_cast<double>(p[i]));
    });
    return v;
  }
};

const OpDef* find_op(const std::string& name) {
  const OpDef* op = Registry::get().find(name);
  EXPECT_NE(op, nullptr) << "operator " << name << " is not registered";
  return op;
}

// Infers, allocates and runs one op the way the invoke layer does.
Result run(const std::string& name, const Attrs& attrs, std::mt19937_64* rng = nullptr,
           const std::vector<TBlob>& inputs = {}) {
  const OpDef* op = Registry::get().find(name);
  if (!op) throw Error(MXL_ERR_KEY, "unknown operator " + name);
  Params p(op);
  for (const auto& kv : attrs) p.set(kv.first, kv.second);
  p.check_required();
  std::vector<Shape> in_shapes;
  std::vector<DType> in_types;
  for (const TBlob& b : inputs) {
    in_shapes.push_back(b.shape);
    in_types.push_back(b.dtype);
  }
  std::vector<Shape> out_shapes(1, Shape::unknown());
  std::vector<DType> out_types(1, DType::kFloat32);
  if (op->infer_type) op->infer_type(p, &in_types, &out_types);
  else infer_type_same(op->name, &in_types, &out_types);
  op->infer_shape(p, &in_shapes, &out_shapes);

  Result r;
  r.shape = out_shapes[0];
  r.dtype = out_types[0];
  r.bytes.resize(static_cast<size_t>(r.numel() * dtype_size(r.dtype)) + 1);
  OpContext ctx;
  ctx.rng = rng;
  op->forward(ctx, p, inputs, {TBlob{r.bytes.data(), r.shape, r.dtype}});
  return r;
}

int error_kind(const std::function<void()>& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.kind();
  }
  return MXL_OK;
}

// ---------------------------------------------------------------------------
// _zeros, _ones, _full
// ---------------------------------------------------------------------------

TEST(InitOps, ZerosAndOnesInEveryDType) {
  for (const char* dt : {"float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool"}) {
    Result z = run("_zeros", {{"shape", "(2, 3)"}, {"dtype", dt}});
    EXPECT_EQ(z.shape, Shape({2, 3}));
    EXPECT_STREQ(dtype_name(z.dtype), dt);
    EXPECT_EQ(z.values(), std::vector<double>(6, 0.0)) << dt;

    Result o = run("_ones", {{"shape", "(4,)"}, {"dtype", dt}});
    EXPECT_EQ(o.values(), std::vector<double>(4, 1.0)) << dt;
  }
  // float16 one is 0x3C00.
  Result h = run("_ones", {{"shape", "(1,)"}, {"dtype", "float16"}});
  EXPECT_EQ(h.as<uint16_t>()[0], 0x3C00);
}

TEST(InitOps, DefaultsAreFloat32AndZeroDim) {
  Result z = run("_zeros", {});
  EXPECT_EQ(z.dtype, DType::kFloat32);
  EXPECT_EQ(z.shape.ndim(), 0);
  EXPECT_EQ(z.values(), std::vector<double>{0.0});
}

TEST(InitOps, EmptyShapes) {
  Result z = run("_ones", {{"shape", "(0, 3)"}});
  EXPECT_EQ(z.shape, Shape({0, 3}));
  EXPECT_EQ(z.numel(), 0);
  Result f = run("_full", {{"shape", "(3, 0)"}, {"value", "7"}});
  EXPECT_EQ(f.numel(), 0);
}

TEST(InitOps, FullConvertsLikeACast) {
  EXPECT_EQ(run("_full", {{"shape", "(2,)"}, {"value", "2.5"}}).values(),
            (std::vector<double>{2.5, 2.5}));
  EXPECT_EQ(run("_full", {{"shape", "(2,)"}, {"value", "2.7"}, {"dtype", "int32"}}).values(),
            (std::vector<double>{2, 2}));
  EXPECT_EQ(run("_full", {{"shape", "(1,)"}, {"value", "-2.7"}, {"dtype", "int64"}}).values(),
            (std::vector<double>{-2}));
  // -1 wraps to 255 in uint8, as NumPy 1.x and MXNet on x86 do.
  EXPECT_EQ(run("_full", {{"shape", "(1,)"}, {"value", "-1"}, {"dtype", "uint8"}}).values(),
            (std::vector<double>{255}));
  EXPECT_EQ(run("_full", {{"shape", "(1,)"}, {"value", "0.5"}, {"dtype", "bool"}}).values(),
            (std::vector<double>{1}));
  EXPECT_EQ(run("_full", {{"shape", "(1,)"}, {"value", "nan"}, {"dtype", "int32"}}).values(),
            (std::vector<double>{0}));
  Result h = run("_full", {{"shape", "(1,)"}, {"value", "-0.5"}, {"dtype", "float16"}});
  EXPECT_EQ(h.as<uint16_t>()[0], 0xB800);  // -0.5 in binary16
  Result nz = run("_full", {{"shape", "(1,)"}, {"value", "-0.0"}});
  EXPECT_TRUE(std::signbit(nz.as<float>()[0]));
}

TEST(InitOps, LargeFillIsComplete) {
  // Above the parallel threshold, so every thread's range is covered.
  Result f = run("_full", {{"shape", "(300, 1000)"}, {"value", "3"}, {"dtype", "int8"}});
  for (int8_t v : f.as<int8_t>()) ASSERT_EQ(v, 3);
  Result z = run("_zeros", {{"shape", "(300001,)"}, {"dtype", "float64"}});
  for (double v : z.as<double>()) ASSERT_EQ(v, 0.0);
}

TEST(InitOps, BadParametersAreNamed) {
  std::string msg;
  EXPECT_EQ(error_kind([] { run("_zeros", {{"shape", "(2, -1)"}}); }, &msg), MXL_ERR_VALUE);
  EXPECT_NE(msg.find("_zeros"), std::string::npos);
  EXPECT_NE(msg.find("'shape'"), std::string::npos);
  EXPECT_EQ(error_kind([] { run("_ones", {{"dtype", "complex64"}}); }, &msg), MXL_ERR_VALUE);
  EXPECT_NE(msg.find("'dtype'"), std::string::npos);
  EXPECT_EQ(error_kind([] { run("_full", {{"shape", "(2,)"}}); }, &msg), MXL_ERR_VALUE);
  EXPECT_NE(msg.find("'value'"), std::string::npos);
  EXPECT_EQ(error_kind([] { run("_zeros", {{"shape", "(4294967296, 4294967296)"}}); }),
            MXL_ERR_VALUE);
  EXPECT_EQ(error_kind([] { run("_zeros", {{"axis", "1"}}); }), MXL_ERR_KEY);
}

TEST(InitOps, ContextMustBeCpu) {
  for (const char* ok : {"", "cpu", "cpu(0)", "cpu(1)", "cpu_pinned(0)"})
    EXPECT_EQ(error_kind([&] { run("_zeros", {{"shape", "(1,)"}, {"ctx", ok}}); }), MXL_OK) << ok;
  std::string msg;
  EXPECT_EQ(error_kind([] { run("_ones", {{"ctx", "gpu(0)"}}); }, &msg), MXL_ERR_NOT_IMPLEMENTED);
  EXPECT_NE(msg.find("this build has no GPU support"), std::string::npos);
  EXPECT_NE(msg.find("_ones"), std::string::npos);
  EXPECT_EQ(error_kind([] { run("_random_uniform", {{"ctx", "gpu(1)"}}); }),
            MXL_ERR_NOT_IMPLEMENTED);
  EXPECT_EQ(error_kind([] { run("_arange", {{"start", "3"}, {"ctx", "tpu(0)"}}); }), MXL_ERR_VALUE);
  EXPECT_EQ(error_kind([] { run("_eye", {{"N", "2"}, {"ctx", "cpu(x)"}}); }), MXL_ERR_VALUE);
}

// ---------------------------------------------------------------------------
// _arange
// ---------------------------------------------------------------------------

TEST(InitOps, ArangeMatchesNumPyCounts) {
  EXPECT_EQ(run("_arange", {{"start", "2"}, {"stop", "11"}, {"step", "3"}}).values(),
            (std::vector<double>{2, 5, 8}));
  EXPECT_EQ(run("_arange", {{"start", "5"}}).values(), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(run("_arange", {{"start", "5"}, {"stop", "0"}, {"step", "-2"}}).values(),
            (std::vector<double>{5, 3, 1}));
  EXPECT_EQ(run("_arange", {{"start", "0"}, {"stop", "1"}, {"step", "0.25"}}).values(),
            (std::vector<double>{0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(run("_arange", {{"start", "0"}, {"stop", "3"}, {"repeat", "2"}, {"dtype", "int32"}})
                .values(),
            (std::vector<double>{0, 0, 1, 1, 2, 2}));
  // Ranges that run the wrong way are empty, not errors.
  Result empty = run("_arange", {{"start", "5"}, {"stop", "1"}});
  EXPECT_EQ(empty.shape, Shape({0}));
  EXPECT_EQ(run("_arange", {{"start", "-3"}}).numel(), 0);
  // ceil(0.3 / 0.1) is 3 in double arithmetic ((0.3 - 0) / 0.1 = 2.9999999999999996).
  EXPECT_EQ(run("_arange", {{"start", "0"}, {"stop", "0.3"}, {"step", "0.1"}}).numel(), 3);
  Result i64 = run("_arange", {{"start", "-2"}, {"stop", "2"}, {"dtype", "int64"}});
  EXPECT_EQ(i64.dtype, DType::kInt64);
  EXPECT_EQ(i64.as<int64_t>(), (std::vector<int64_t>{-2, -1, 0, 1}));
}

TEST(InitOps, ArangeLargeWithRepeat) {
  Result r = run("_arange", {{"start", "0"}, {"stop", "50000"}, {"repeat", "3"}, {"dtype", "int32"}});
  ASSERT_EQ(r.numel(), 150000);
  std::vector<int32_t> v = r.as<int32_t>();
  for (int64_t i = 0; i < r.numel(); ++i) ASSERT_EQ(v[i], i / 3);
}

TEST(InitOps, ArangeErrors) {
  std::string msg;
  EXPECT_EQ(error_kind([] { run("_arange", {{"start", "0"}, {"stop", "3"}, {"step", "0"}}); },
                       &msg),
            MXL_ERR_VALUE);
  EXPECT_NE(msg.find("_arange"), std::string::npos);
  EXPECT_NE(msg.find("'step'"), std::string::npos);
  EXPECT_EQ(error_kind([] { run("_arange", {{"start", "3"}, {"repeat", "0"}}); }, &msg),
            MXL_ERR_VALUE);
  EXPECT_NE(msg.find("'repeat'"), std::string::npos);
  EXPECT_EQ(error_kind([] { run("_arange", {}); }, &msg), MXL_ERR_VALUE);
  EXPECT_NE(msg.find("'start'"), std::string::npos);
  EXPECT_EQ(error_kind([] { run("_arange", {{"start", "0"}, {"stop", "inf"}}); }), MXL_ERR_VALUE);
  EXPECT_EQ(error_kind([] { run("_arange", {{"start", "3"}, {"infer_range", "True"}}); }),
            MXL_ERR_VALUE);
}

// ---------------------------------------------------------------------------
// _eye, _linspace
// ---------------------------------------------------------------------------

TEST(InitOps, Eye) {
  Result i3 = run("_eye", {{"N", "3"}});
  EXPECT_EQ(i3.shape, Shape({3, 3}));
  EXPECT_EQ(i3.values(), (std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(run("_eye", {{"N", "2"}, {"M", "3"}, {"k", "1"}}).values(),
            (std::vector<double>{0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(run("_eye", {{"N", "3"}, {"M", "2"}, {"k", "-1"}, {"dtype", "int8"}}).values(),
            (std::vector<double>{0, 0, 1, 0, 0, 1}));
  EXPECT_EQ(run("_eye", {{"N", "2"}, {"k", "5"}}).values(), std::vector<double>(4, 0.0));
  EXPECT_EQ(run("_eye", {{"N", "2"}, {"k", "-2"}}).values(), std::vector<double>(4, 0.0));
  EXPECT_EQ(run("_eye", {{"N", "0"}}).shape, Shape({0, 0}));
  EXPECT_EQ(error_kind([] { run("_eye", {{"N", "-1"}}); }), MXL_ERR_VALUE);
  EXPECT_EQ(error_kind([] { run("_eye", {}); }), MXL_ERR_VALUE);  // N is required
}

TEST(InitOps, Linspace) {
  EXPECT_EQ(run("_linspace", {{"start", "0"}, {"stop", "1"}, {"num", "5"}}).values(),
            (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  Result open = run("_linspace", {{"start", "0"}, {"stop", "1"}, {"num", "5"},
                                  {"endpoint", "False"}, {"dtype", "float64"}});
  std::vector<double> expected{0, 0.2, 0.4, 0.6, 0.8};
  for (int i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(open.as<double>()[i], expected[i]);
  EXPECT_EQ(run("_linspace", {{"start", "3"}, {"stop", "7"}, {"num", "1"}}).values(),
            std::vector<double>{3});
  EXPECT_EQ(run("_linspace", {{"start", "3"}, {"stop", "7"}, {"num", "0"}}).shape, Shape({0}));
  EXPECT_EQ(run("_linspace", {{"start", "10"}, {"stop", "0"}, {"num", "3"}, {"dtype", "int32"}})
                .values(),
            (std::vector<double>{10, 5, 0}));
  // The last sample is exactly stop even when (stop - start) / 3 * 3 rounds.
  Result r = run("_linspace", {{"start", "0"}, {"stop", "0.7"}, {"num", "4"}, {"dtype", "float64"}});
  EXPECT_EQ(r.as<double>()[3], 0.7);
  std::string msg;
  EXPECT_EQ(error_kind([] { run("_linspace", {{"start", "0"}, {"stop", "1"}, {"num", "-1"}}); },
                       &msg),
            MXL_ERR_VALUE);
  EXPECT_NE(msg.find("'num'"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Random ops
// ---------------------------------------------------------------------------

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}
double variance(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size());
}

TEST(RandomOps, UniformRangeAndMoments) {
  std::mt19937_64 rng(7);
  Result r = run("_random_uniform", {{"low", "-2"}, {"high", "3"}, {"shape", "(200, 500)"}}, &rng);
  EXPECT_EQ(r.dtype, DType::kFloat32);
  EXPECT_EQ(r.shape, Shape({200, 500}));
  std::vector<double> v = r.values();
  for (double x : v) ASSERT_TRUE(x >= -2.0 && x < 3.0) << x;
  // U(-2, 3): mean 0.5, variance 25/12; n = 1e5 puts 5 sigma well inside.
  EXPECT_NEAR(mean(v), 0.5, 5 * std::sqrt(25.0 / 12 / 1e5));
  EXPECT_NEAR(variance(v), 25.0 / 12, 0.05);
  // Each tenth of the range gets about a tenth of the samples.
  std::vector<int> bins(10, 0);
  for (double x : v) ++bins[static_cast<int>((x + 2.0) / 0.5)];
  for (int c : bins) EXPECT_NEAR(c, 10000, 500);
}

TEST(RandomOps, UniformStaysBelowHighAfterRounding) {
  std::mt19937_64 rng(1);
  // In float16 almost every value in [1000, 1000.4) rounds to 1000 or to
  // 1000.5 = high; the latter must not appear.
  Result h = run("_random_uniform",
                 {{"low", "1000"}, {"high", "1000.5"}, {"shape", "(5000,)"}, {"dtype", "float16"}},
                 &rng);
  EXPECT_EQ(h.dtype, DType::kFloat16);
  for (double x : h.values()) ASSERT_TRUE(x >= 1000.0 && x < 1000.5) << x;
  Result eq = run("_random_uniform", {{"low", "2"}, {"high", "2"}, {"shape", "(3,)"}}, &rng);
  EXPECT_EQ(eq.values(), std::vector<double>(3, 2.0));
}

TEST(RandomOps, NormalMoments) {
  std::mt19937_64 rng(11);
  Result r = run("_random_normal", {{"loc", "1.5"}, {"scale", "2"}, {"shape", "(100001,)"},
                                    {"dtype", "float64"}}, &rng);
  EXPECT_EQ(r.dtype, DType::kFloat64);
  std::vector<double> v = r.values();
  ASSERT_EQ(v.size(), 100001u);
  EXPECT_NEAR(mean(v), 1.5, 5 * 2 / std::sqrt(1e5));
  EXPECT_NEAR(std::sqrt(variance(v)), 2.0, 0.03);
  // About 68.3% within one standard deviation.
  int64_t inside = 0;
  for (double x : v) inside += std::fabs(x - 1.5) < 2.0;
  EXPECT_NEAR(inside / 100001.0, 0.6827, 0.01);
  // Two-sided tail mass beyond t is erfc(t / sqrt 2); 3.654 is where the
  // sampler's base strip hands over to its tail algorithm.
  Result big = run("_random_normal", {{"shape", "(1000000,)"}, {"dtype", "float64"}}, &rng);
  for (double t : {0.5, 1.0, 2.0, 3.0, 3.6541528853610088, 4.0}) {
    const double p = std::erfc(t / std::sqrt(2.0));
    int64_t beyond = 0;
    for (double x : big.as<double>()) beyond += std::fabs(x) > t;
    EXPECT_NEAR(beyond / 1e6, p, 5 * std::sqrt(p * (1 - p) / 1e6)) << t;
  }
  Result zero = run("_random_normal", {{"loc", "4"}, {"scale", "0"}, {"shape", "(5,)"}}, &rng);
  EXPECT_EQ(zero.values(), std::vector<double>(5, 4.0));
}

TEST(RandomOps, RandintCoversTheRangeExactly) {
  std::mt19937_64 rng(3);
  Result r = run("_random_randint", {{"low", "-3"}, {"high", "4"}, {"shape", "(7000,)"}}, &rng);
  EXPECT_EQ(r.dtype, DType::kInt32);
  std::map<int32_t, int> counts;
  for (int32_t x : r.as<int32_t>()) ++counts[x];
  ASSERT_EQ(counts.size(), 7u);
  EXPECT_EQ(counts.begin()->first, -3);
  EXPECT_EQ(counts.rbegin()->first, 3);
  for (const auto& kv : counts) EXPECT_NEAR(kv.second, 1000, 150);

  Result big = run("_random_randint", {{"low", "-9000000000000000000"},
                                       {"high", "9000000000000000000"},
                                       {"shape", "(1000,)"}, {"dtype", "int64"}}, &rng);
  EXPECT_EQ(big.dtype, DType::kInt64);
  int negative = 0;
  for (int64_t x : big.as<int64_t>()) {
    ASSERT_TRUE(x >= -9000000000000000000LL && x < 9000000000000000000LL);
    negative += x < 0;
  }
  EXPECT_NEAR(negative, 500, 80);
}

TEST(RandomOps, SameSeedSameArraysDifferentSeedDifferent) {
  auto sample = [](uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<double> a = run("_random_uniform", {{"shape", "(50,)"}}, &rng).values();
    std::vector<double> b = run("_random_normal", {{"shape", "(51,)"}}, &rng).values();
    std::vector<double> c = run("_random_randint", {{"low", "0"}, {"high", "1000"},
                                                    {"shape", "(50,)"}}, &rng).values();
    a.insert(a.end(), b.begin(), b.end());
    a.insert(a.end(), c.begin(), c.end());
    return a;
  };
  EXPECT_EQ(sample(42), sample(42));
  EXPECT_NE(sample(42), sample(43));
  // Successive calls on one generator differ too.
  std::mt19937_64 rng(5);
  EXPECT_NE(run("_random_uniform", {{"shape", "(8,)"}}, &rng).values(),
            run("_random_uniform", {{"shape", "(8,)"}}, &rng).values());
}

TEST(RandomOps, ResultsDoNotDependOnThreadCount) {
  const int saved = omp_get_max_threads();
  auto sample = [](int threads) {
    omp_set_num_threads(threads);
    std::mt19937_64 rng(9);
    std::vector<double> u = run("_random_uniform", {{"shape", "(300000,)"}}, &rng).values();
    std::vector<double> n = run("_random_normal", {{"shape", "(300001,)"}}, &rng).values();
    std::vector<double> r = run("_random_randint", {{"low", "0"}, {"high", "7"},
                                                    {"shape", "(200000,)"}}, &rng).values();
    u.insert(u.end(), r.begin(), r.end());
    u.insert(u.end(), n.begin(), n.end());
    return u;
  };
  std::vector<double> one = sample(1), two = sample(2);
  omp_set_num_threads(saved);
  EXPECT_TRUE(one == two);
}

TEST(RandomOps, LikeVariantsTakeShapeAndDType) {
  std::mt19937_64 rng(2);
  std::vector<double> in(6, 0.0);
  TBlob data{in.data(), Shape({2, 3}), DType::kFloat64};
  Result u = run("_random_uniform_like", {{"low", "5"}, {"high", "6"}}, &rng, {data});
  EXPECT_EQ(u.shape, Shape({2, 3}));
  EXPECT_EQ(u.dtype, DType::kFloat64);
  for (double x : u.values()) EXPECT_TRUE(x >= 5 && x < 6);
  Result n = run("_random_normal_like", {}, &rng, {data});
  EXPECT_EQ(n.shape, Shape({2, 3}));

  std::vector<int32_t> ints(2, 0);
  TBlob int_data{ints.data(), Shape({2}), DType::kInt32};
  std::string msg;
  EXPECT_EQ(error_kind([&] { run("_random_uniform_like", {}, &rng, {int_data}); }, &msg),
            MXL_ERR_TYPE);
  EXPECT_NE(msg.find("_random_uniform_like"), std::string::npos);
  EXPECT_NE(msg.find("'data'"), std::string::npos);
}

TEST(RandomOps, EmptyAndZeroDimShapes) {
  std::mt19937_64 rng(4);
  EXPECT_EQ(run("_random_normal", {{"shape", "(0, 4)"}}, &rng).numel(), 0);
  EXPECT_EQ(run("_random_uniform", {{"shape", "()"}}, &rng).numel(), 1);
}

TEST(RandomOps, BadParameters) {
  std::mt19937_64 rng(0);
  std::string msg;
  EXPECT_EQ(error_kind([&] { run("_random_uniform", {{"low", "2"}, {"high", "1"}}, &rng); }, &msg),
            MXL_ERR_VALUE);
  EXPECT_NE(msg.find("_random_uniform"), std::string::npos);
  EXPECT_NE(msg.find("'low'"), std::string::npos);
  EXPECT_EQ(error_kind([&] { run("_random_normal", {{"scale", "-1"}}, &rng); }, &msg),
            MXL_ERR_VALUE);
  EXPECT_NE(msg.find("'scale'"), std::string::npos);
  EXPECT_EQ(error_kind([&] { run("_random_randint", {{"low", "3"}, {"high", "3"}}, &rng); }),
            MXL_ERR_VALUE);
  EXPECT_EQ(error_kind([&] { run("_random_randint", {{"low", "0"}}, &rng); }, &msg),
            MXL_ERR_VALUE);
  EXPECT_NE(msg.find("'high'"), std::string::npos);
  EXPECT_EQ(error_kind([&] {
              run("_random_randint", {{"low", "0"}, {"high", "5000000000"}}, &rng);
            }, &msg),
            MXL_ERR_VALUE);
  EXPECT_NE(msg.find("int64"), std::string::npos);
  EXPECT_EQ(error_kind([&] { run("_random_uniform", {{"dtype", "int32"}}, &rng); }),
            MXL_ERR_VALUE);
  EXPECT_EQ(error_kind([&] { run("_random_uniform", {{"shape", "(-2,)"}}, &rng); }),
            MXL_ERR_VALUE);
}

TEST(RandomOps, SchemaFollowsMXNet) {
  const OpDef* u = find_op("_random_uniform");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(Registry::get().find("uniform"), u);
  EXPECT_EQ(Registry::get().find("random_uniform"), u);
  EXPECT_EQ(Registry::get().find("normal"), find_op("_random_normal"));
  EXPECT_EQ(Registry::get().find("random_randint"), find_op("_random_randint"));
  EXPECT_TRUE(u->needs_rng);
  std::vector<std::string> names;
  for (const ParamField& f : u->params) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"low", "high", "shape", "ctx", "dtype"}));
  const ParamField& ctx = u->params[u->param_index("ctx")];
  EXPECT_FALSE(ctx.required);
  EXPECT_EQ(ctx.default_text, "");
  const ParamField& dtype = u->params[u->param_index("dtype")];
  EXPECT_TRUE(dtype.optional);
  EXPECT_EQ(dtype.default_text, "None");

  const OpDef* arange = find_op("_arange");
  names.clear();
  for (const ParamField& f : arange->params) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"start", "stop", "step", "repeat", "infer_range",
                                             "ctx", "dtype"}));
  EXPECT_TRUE(arange->params[0].required);
  EXPECT_FALSE(find_op("_full")->params[find_op("_full")->param_index("ctx")].required);
  EXPECT_TRUE(find_op("_full")->params[find_op("_full")->param_index("value")].required);
}

}  // namespace
}  // namespace mxl
