// Element-wise unary and scalar operators, called through the registry on
// hand-computed cases; larger inputs are checked against a naive loop over
// the C library's functions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "operator/registry.h"
#include "op_test_util.h"

namespace mxl {
namespace {

using Attrs = std::map<std::string, std::string>;

const OpDef* find_op(const std::string& name) {
  const OpDef* op = Registry::get().find(name);
  EXPECT_NE(op, nullptr) << "operator " << name << " is not registered";
  return op;
}

// Runs a one-input op on `x` (with shape `shape`, default 1-D) and returns the
// output, checking that inference keeps shape and dtype.
template <typename T>
std::vector<T> run(const std::string& name, std::vector<T> x, const Attrs& attrs = {},
                   Shape shape = Shape::unknown()) {
  const OpDef* op = find_op(name);
  Params p(op);
  for (const auto& kv : attrs) p.set(kv.first, kv.second);
  if (!shape.known()) shape = Shape{static_cast<int64_t>(x.size())};
  const DType dt = TypeToDType<T>::value;
  std::vector<DType> in_t{dt}, out_t(1);
  if (op->infer_type) op->infer_type(p, &in_t, &out_t);
  else infer_type_same(op->name, &in_t, &out_t);
  EXPECT_EQ(out_t[0], dt);
  std::vector<Shape> in_s{shape}, out_s(1);
  op->infer_shape(p, &in_s, &out_s);
  EXPECT_EQ(out_s[0], shape);
  std::vector<T> y(x.size());
  OpContext ctx;
  op->forward(ctx, p, {TBlob{x.data(), shape, dt}}, {TBlob{y.data(), shape, dt}});
  return y;
}

using testing_util::expect_error;

void expect_type_error(const std::string& name, DType dt) {
  const OpDef* op = find_op(name);
  Params p(op);
  std::vector<DType> in_t{dt}, out_t(1);
  expect_error([&] { op->infer_type(p, &in_t, &out_t); }, MXL_ERR_TYPE, name);
}

const float kNaN = std::numeric_limits<float>::quiet_NaN();

// ---------------------------------------------------------------------------
// Registry schema
// ---------------------------------------------------------------------------

TEST(UnaryOps, RegisteredWithMXNetNamesAndAliases) {
  for (const char* name :
       {"abs", "sign", "negative", "reciprocal", "sqrt", "rsqrt", "cbrt", "rcbrt", "square",
        "exp", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "arcsin", "arccos",
        "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "degrees", "radians",
        "sigmoid", "relu", "softsign", "floor", "ceil", "round", "rint", "fix", "trunc", "erf",
        "erfinv", "gamma", "gammaln", "logical_not"}) {
    const OpDef* op = find_op(name);
    ASSERT_NE(op, nullptr);
    EXPECT_EQ(op->input_names, std::vector<std::string>{"data"}) << name;
    EXPECT_TRUE(op->params.empty()) << name;
    ASSERT_EQ(op->inplace.size(), 1u) << name;
    EXPECT_EQ(op->inplace[0], std::make_pair(0, 0)) << name;
    EXPECT_FALSE(op->doc.empty()) << name;
  }
  EXPECT_EQ(find_op("_sparse_relu"), find_op("relu"));
  EXPECT_EQ(find_op("_sparse_sqrt"), find_op("sqrt"));
}

TEST(ScalarOps, RegisteredWithMXNetNamesAliasesAndParams) {
  const std::map<std::string, std::string> ops = {
      {"_plus_scalar", "_PlusScalar"}, {"_minus_scalar", "_MinusScalar"},
      {"_rminus_scalar", "_RMinusScalar"}, {"_mul_scalar", "_MulScalar"},
      {"_div_scalar", "_DivScalar"}, {"_rdiv_scalar", "_RDivScalar"},
      {"_mod_scalar", "_ModScalar"}, {"_rmod_scalar", "_RModScalar"},
      {"_power_scalar", "_PowerScalar"}, {"_rpower_scalar", "_RPowerScalar"},
      {"_maximum_scalar", "_MaximumScalar"}, {"_minimum_scalar", "_MinimumScalar"},
      {"_hypot_scalar", "_HypotScalar"}, {"_equal_scalar", "_EqualScalar"},
      {"_not_equal_scalar", "_NotEqualScalar"}, {"_greater_scalar", "_GreaterScalar"},
      {"_greater_equal_scalar", "_GreaterEqualScalar"}, {"_lesser_scalar", "_LesserScalar"},
      {"_lesser_equal_scalar", "_LesserEqualScalar"},
      {"_logical_and_scalar", "_LogicalAndScalar"}, {"_logical_or_scalar", "_LogicalOrScalar"},
      {"_logical_xor_scalar", "_LogicalXorScalar"}, {"smooth_l1", ""}};
  for (const auto& [name, alias] : ops) {
    const OpDef* op = find_op(name);
    ASSERT_NE(op, nullptr);
    if (!alias.empty()) EXPECT_EQ(find_op(alias), op) << alias;
    EXPECT_EQ(op->input_names, std::vector<std::string>{"data"}) << name;
    ASSERT_EQ(op->params.size(), 2u) << name;
    EXPECT_EQ(op->params[0].name, "scalar");
    EXPECT_EQ(op->params[0].type, ParamType::kFloat);
    EXPECT_EQ(op->params[0].default_text, "1");
    EXPECT_EQ(op->params[1].name, "is_int");
    EXPECT_EQ(op->params[1].type, ParamType::kBool);
    EXPECT_EQ(op->params[1].default_text, "True");
    ASSERT_EQ(op->inplace.size(), 1u) << name;
  }
}

// ---------------------------------------------------------------------------
// Exact unary ops
// ---------------------------------------------------------------------------

TEST(UnaryOps, AbsSignNegativeSquareReluOnFloat) {
  std::vector<float> x{-2.5f, -0.0f, 0.0f, 3.0f, kNaN};
  auto abs = run("abs", x);
  EXPECT_EQ(abs[0], 2.5f);
  EXPECT_EQ(abs[3], 3.0f);
  EXPECT_TRUE(std::isnan(abs[4]));
  auto sign = run("sign", x);
  EXPECT_EQ(sign[0], -1.0f);
  EXPECT_EQ(sign[1], 0.0f);
  EXPECT_EQ(sign[3], 1.0f);
  EXPECT_TRUE(std::isnan(sign[4]));
  auto neg = run("negative", x);
  EXPECT_EQ(neg[0], 2.5f);
  EXPECT_EQ(neg[3], -3.0f);
  auto sq = run("square", x);
  EXPECT_EQ(sq[0], 6.25f);
  EXPECT_EQ(sq[3], 9.0f);
  auto relu = run("relu", x);
  EXPECT_EQ(relu[0], 0.0f);
  EXPECT_EQ(relu[3], 3.0f);
  EXPECT_TRUE(std::isnan(relu[4]));
}

TEST(UnaryOps, IntegersWrapLikeNumPy) {
  EXPECT_EQ(run<int8_t>("abs", {-128, -5, 7}), (std::vector<int8_t>{-128, 5, 7}));
  EXPECT_EQ(run<int8_t>("negative", {-128, -5, 7}), (std::vector<int8_t>{-128, 5, -7}));
  EXPECT_EQ(run<uint8_t>("negative", {0, 1, 200}), (std::vector<uint8_t>{0, 255, 56}));
  EXPECT_EQ(run<int32_t>("square", {65536, -3}), (std::vector<int32_t>{0, 9}));
  EXPECT_EQ(run<uint8_t>("square", {16, 3}), (std::vector<uint8_t>{0, 9}));
  EXPECT_EQ(run<int64_t>("sign", {-9, 0, 4}), (std::vector<int64_t>{-1, 0, 1}));
  EXPECT_EQ(run<uint8_t>("sign", {0, 9}), (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(run<int32_t>("relu", {-4, 0, 5}), (std::vector<int32_t>{0, 0, 5}));
  EXPECT_EQ(run<uint8_t>("relu", {0, 255}), (std::vector<uint8_t>{0, 255}));
  EXPECT_EQ(run<int32_t>("floor", {-3, 4}), (std::vector<int32_t>{-3, 4}));
  EXPECT_EQ(run<int64_t>("round", {-3, 4}), (std::vector<int64_t>{-3, 4}));
}

TEST(UnaryOps, RoundingHalfwayRules) {
  std::vector<float> x{-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, -1.9f, 2.1f};
  EXPECT_EQ(run("round", x), (std::vector<float>{-3, -2, -1, 1, 2, 3, -2, 2}));
  EXPECT_EQ(run("rint", x), (std::vector<float>{-2, -2, -0.0f, 0, 2, 2, -2, 2}));
  EXPECT_EQ(run("floor", x), (std::vector<float>{-3, -2, -1, 0, 1, 2, -2, 2}));
  EXPECT_EQ(run("ceil", x), (std::vector<float>{-2, -1, -0.0f, 1, 2, 3, -1, 3}));
  EXPECT_EQ(run("trunc", x), (std::vector<float>{-2, -1, -0.0f, 0, 1, 2, -1, 2}));
  EXPECT_EQ(run("fix", x), (std::vector<float>{-2, -1, -0.0f, 0, 1, 2, -1, 2}));
  std::vector<double> xd{-2.5, 2.5, 0.49999999999999994};
  EXPECT_EQ(run("round", xd), (std::vector<double>{-3, 3, 0}));
  EXPECT_EQ(run("rint", xd), (std::vector<double>{-2, 2, 0}));
}

// The float rounding kernels avoid libm; compare them with it bit for bit
// over a spread of magnitudes, including the 2^23 boundary and specials.
TEST(UnaryOps, FloatRoundingMatchesLibm) {
  std::vector<float> x;
  for (float v = -40.0f; v <= 40.0f; v += 0.125f) x.push_back(v);
  for (float v : {8388607.5f, 8388608.0f, 8388609.0f, -8388607.5f, 16777217.0f, 1e30f, -1e30f,
                  0.49999997f, -0.49999997f, 1e-40f, -1e-40f, -0.0f, 0.0f,
                  std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()})
    x.push_back(v);
  struct Case { const char* op; float (*ref)(float); };
  const Case cases[] = {{"floor", [](float v) { return std::floor(v); }},
                        {"ceil", [](float v) { return std::ceil(v); }},
                        {"trunc", [](float v) { return std::trunc(v); }},
                        {"round", [](float v) { return std::round(v); }},
                        {"rint", [](float v) { return std::nearbyint(v); }}};
  for (const Case& c : cases) {
    auto y = run(c.op, x);
    for (size_t i = 0; i < x.size(); ++i) {
      const float want = c.ref(x[i]);
      EXPECT_EQ(y[i], want) << c.op << "(" << x[i] << ")";
      EXPECT_EQ(std::signbit(y[i]), std::signbit(want)) << c.op << "(" << x[i] << ")";
    }
  }
  auto nan = run("floor", std::vector<float>{kNaN});
  EXPECT_TRUE(std::isnan(nan[0]));
}

TEST(UnaryOps, LogicalNotOnEveryDtype) {
  EXPECT_EQ(run<float>("logical_not", {-2.0f, 0.0f, 1.0f}), (std::vector<float>{0, 1, 0}));
  EXPECT_EQ(run<int32_t>("logical_not", {-2, 0, 7}), (std::vector<int32_t>{0, 1, 0}));
  bool in[3] = {true, false, true}, out[3] = {};
  const OpDef* op = find_op("logical_not");
  Params p(op);
  std::vector<DType> in_t{DType::kBool}, out_t(1);
  op->infer_type(p, &in_t, &out_t);
  EXPECT_EQ(out_t[0], DType::kBool);
  op->forward(OpContext{}, p, {TBlob{in, Shape{3}, DType::kBool}},
              {TBlob{out, Shape{3}, DType::kBool}});
  EXPECT_FALSE(out[0]);
  EXPECT_TRUE(out[1]);
  EXPECT_FALSE(out[2]);
  std::vector<half_t> h{half_t(0.0f), half_t(2.0f)};
  auto hy = run("logical_not", h);
  EXPECT_EQ(float(hy[0]), 1.0f);
  EXPECT_EQ(float(hy[1]), 0.0f);
}

// ---------------------------------------------------------------------------
// Math unary ops
// ---------------------------------------------------------------------------

TEST(UnaryOps, MathMatchesLibmOnFloatAndDouble) {
  struct Case { const char* op; double (*ref)(double); double lo, hi; };
  const Case cases[] = {
      {"sqrt", [](double v) { return std::sqrt(v); }, 0, 50},
      {"rsqrt", [](double v) { return 1 / std::sqrt(v); }, 0.1, 50},
      {"cbrt", [](double v) { return std::cbrt(v); }, -50, 50},
      {"rcbrt", [](double v) { return 1 / std::cbrt(v); }, 0.1, 50},
      {"reciprocal", [](double v) { return 1 / v; }, 0.1, 50},
      {"exp", [](double v) { return std::exp(v); }, -10, 10},
      {"log", [](double v) { return std::log(v); }, 0.01, 100},
      {"log2", [](double v) { return std::log2(v); }, 0.01, 100},
      {"log10", [](double v) { return std::log10(v); }, 0.01, 100},
      {"log1p", [](double v) { return std::log1p(v); }, -0.9, 10},
      {"expm1", [](double v) { return std::expm1(v); }, -5, 5},
      {"sin", [](double v) { return std::sin(v); }, -6, 6},
      {"cos", [](double v) { return std::cos(v); }, -6, 6},
      {"tan", [](double v) { return std::tan(v); }, -1.4, 1.4},
      {"arcsin", [](double v) { return std::asin(v); }, -1, 1},
      {"arccos", [](double v) { return std::acos(v); }, -1, 1},
      {"arctan", [](double v) { return std::atan(v); }, -10, 10},
      {"sinh", [](double v) { return std::sinh(v); }, -5, 5},
      {"cosh", [](double v) { return std::cosh(v); }, -5, 5},
      {"tanh", [](double v) { return std::tanh(v); }, -5, 5},
      {"arcsinh", [](double v) { return std::asinh(v); }, -10, 10},
      {"arccosh", [](double v) { return std::acosh(v); }, 1, 10},
      {"arctanh", [](double v) { return std::atanh(v); }, -0.99, 0.99},
      {"degrees", [](double v) { return v * 57.29577951308232; }, -7, 7},
      {"radians", [](double v) { return v * 0.017453292519943295; }, -360, 360},
      {"sigmoid", [](double v) { return 1 / (1 + std::exp(-v)); }, -20, 20},
      {"softsign", [](double v) { return v / (1 + std::fabs(v)); }, -20, 20},
      {"erf", [](double v) { return std::erf(v); }, -3, 3},
      {"gamma", [](double v) { return std::tgamma(v); }, 0.1, 10},
      {"gammaln", [](double v) { return std::lgamma(v); }, 0.1, 30},
  };
  const int n = 201;
  for (const Case& c : cases) {
    std::vector<double> xd(n);
    std::vector<float> xf(n);
    for (int i = 0; i < n; ++i) {
      xd[i] = c.lo + (c.hi - c.lo) * i / (n - 1);
      xf[i] = static_cast<float>(xd[i]);
    }
    auto yd = run(c.op, xd);
    auto yf = run(c.op, xf);
    for (int i = 0; i < n; ++i) {
      const double want_d = c.ref(xd[i]);
      EXPECT_NEAR(yd[i], want_d, 1e-12 * (1 + std::fabs(want_d))) << c.op << "(" << xd[i] << ")";
      const double want_f = c.ref(static_cast<double>(xf[i]));
      EXPECT_NEAR(yf[i], want_f, 2e-6 * (1 + std::fabs(want_f))) << c.op << "(" << xf[i] << ")";
    }
  }
}

// sqrt/rsqrt take a SIMD path for float32/float64: check the IEEE special
// cases and a length that leaves a scalar tail.
TEST(UnaryOps, SqrtSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  auto f = run("sqrt", std::vector<float>{-1.0f, -0.0f, 0.0f, inf, kNaN, 4.0f, 2.0f});
  EXPECT_TRUE(std::isnan(f[0]));
  EXPECT_EQ(f[1], 0.0f);
  EXPECT_TRUE(std::signbit(f[1]));
  EXPECT_EQ(f[3], inf);
  EXPECT_TRUE(std::isnan(f[4]));
  EXPECT_EQ(f[5], 2.0f);
  EXPECT_EQ(f[6], std::sqrt(2.0f));
  auto r = run("rsqrt", std::vector<double>{4.0, 0.0, -1.0});
  EXPECT_EQ(r[0], 0.5);
  EXPECT_EQ(r[1], std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(r[2]));
}

TEST(UnaryOps, ErfinvInvertsErf) {
  std::vector<double> y;
  for (int i = -99; i <= 99; ++i) y.push_back(i / 100.0);
  for (double v : {-0.999999, 0.999999, 1e-10, -1e-300}) y.push_back(v);
  auto x = run("erfinv", y);
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(std::erf(x[i]), y[i], 1e-14) << "erfinv(" << y[i] << ") = " << x[i];
  auto edge = run("erfinv", std::vector<double>{1.0, -1.0, 1.5, -2.0});
  EXPECT_EQ(edge[0], std::numeric_limits<double>::infinity());
  EXPECT_EQ(edge[1], -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(edge[2]));
  EXPECT_TRUE(std::isnan(edge[3]));
  auto f = run("erfinv", std::vector<float>{0.5f});
  EXPECT_NEAR(f[0], 0.4769362762044699, 1e-6);
}

TEST(UnaryOps, GammaKnownValues) {
  auto g = run("gamma", std::vector<double>{1, 5, 0.5});
  EXPECT_NEAR(g[0], 1.0, 1e-12);
  EXPECT_NEAR(g[1], 24.0, 1e-10);
  EXPECT_NEAR(g[2], std::sqrt(M_PI), 1e-12);
  auto gl = run("gammaln", std::vector<double>{10, -0.5});
  EXPECT_NEAR(gl[0], std::log(362880.0), 1e-10);
  EXPECT_NEAR(gl[1], std::log(2 * std::sqrt(M_PI)), 1e-12);  // |gamma(-0.5)| = 2 sqrt(pi)
}

TEST(UnaryOps, IntegerMathComputesInDoubleAndTruncates) {
  EXPECT_EQ(run<int32_t>("sqrt", {10, 16, 0}), (std::vector<int32_t>{3, 4, 0}));
  EXPECT_EQ(run<int64_t>("exp", {0, 1, 3}), (std::vector<int64_t>{1, 2, 20}));
  EXPECT_EQ(run<uint8_t>("log2", {1, 8, 255}), (std::vector<uint8_t>{0, 3, 7}));
  EXPECT_EQ(run<int8_t>("degrees", {1, -2}), (std::vector<int8_t>{57, -114}));
  // No integer value exists: 0 (like integer division by zero), never UB.
  EXPECT_EQ(run<int32_t>("reciprocal", {0, 1, -1, 2}), (std::vector<int32_t>{0, 1, -1, 0}));
  EXPECT_EQ(run<int32_t>("sqrt", {-4}), (std::vector<int32_t>{0}));
  // Out of range saturates.
  EXPECT_EQ(run<int8_t>("exp", {10}), (std::vector<int8_t>{127}));
}

TEST(UnaryOps, Float16ComputesInFloat) {
  std::vector<half_t> x{half_t(4.0f), half_t(0.25f), half_t(-1.5f)};
  auto y = run("sqrt", std::vector<half_t>{x[0], x[1]});
  EXPECT_EQ(float(y[0]), 2.0f);
  EXPECT_EQ(float(y[1]), 0.5f);
  auto r = run("round", x);
  EXPECT_EQ(float(r[2]), -2.0f);
  auto e = run("exp", std::vector<half_t>{half_t(1.0f)});
  EXPECT_EQ(float(e[0]), float(half_t(2.7182817f)));
}

TEST(UnaryOps, BoolInputIsATypeError) {
  for (const char* name : {"abs", "relu", "sqrt", "exp", "floor", "negative", "erfinv"})
    expect_type_error(name, DType::kBool);
}

TEST(UnaryOps, EmptyAndZeroDimShapes) {
  auto empty = run("exp", std::vector<float>{}, {}, Shape{0, 3});
  EXPECT_TRUE(empty.empty());
  auto scalar = run("sqrt", std::vector<float>{9.0f}, {}, Shape{});
  EXPECT_EQ(scalar, std::vector<float>{3.0f});
}

TEST(UnaryOps, InPlaceAndParallelMatchNaiveLoop) {
  const int64_t n = 1 << 20;  // above the parallel threshold
  std::vector<float> x(n), want(n);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>((i % 1001) - 500) * 0.01f;
    want[i] = x[i] < 0 ? 0.0f : x[i];
  }
  const OpDef* op = find_op("relu");
  Params p(op);
  TBlob blob{x.data(), Shape{n}, DType::kFloat32};
  op->forward(OpContext{}, p, {blob}, {blob});  // output aliases input
  EXPECT_EQ(x, want);

  std::vector<double> xs(n);
  for (int64_t i = 0; i < n; ++i) xs[i] = (i % 977) * 0.003;
  auto ys = run("sin", xs);
  for (int64_t i = 0; i < n; i += 997) EXPECT_DOUBLE_EQ(ys[i], std::sin(xs[i]));
}

// ---------------------------------------------------------------------------
// Scalar ops
// ---------------------------------------------------------------------------

Attrs scalar(const std::string& s) { return {{"scalar", s}}; }

TEST(ScalarOps, ArithmeticOnFloat) {
  std::vector<float> x{-3.0f, 0.5f, 4.0f};
  EXPECT_EQ(run("_plus_scalar", x, scalar("2")), (std::vector<float>{-1, 2.5f, 6}));
  EXPECT_EQ(run("_minus_scalar", x, scalar("2")), (std::vector<float>{-5, -1.5f, 2}));
  EXPECT_EQ(run("_rminus_scalar", x, scalar("2")), (std::vector<float>{5, 1.5f, -2}));
  EXPECT_EQ(run("_mul_scalar", x, scalar("-2")), (std::vector<float>{6, -1, -8}));
  EXPECT_EQ(run("_div_scalar", x, scalar("2")), (std::vector<float>{-1.5f, 0.25f, 2}));
  EXPECT_EQ(run("_rdiv_scalar", x, scalar("2")), (std::vector<float>{-2.0f / 3, 4, 0.5f}));
  EXPECT_EQ(run("_power_scalar", x, scalar("2")), (std::vector<float>{9, 0.25f, 16}));
  EXPECT_EQ(run("_power_scalar", x, scalar("3")), (std::vector<float>{-27, 0.125f, 64}));
  auto rp = run("_rpower_scalar", x, scalar("2"));
  EXPECT_EQ(rp[0], 0.125f);
  EXPECT_FLOAT_EQ(rp[1], 1.41421356f);
  EXPECT_EQ(rp[2], 16.0f);
  EXPECT_EQ(run("_maximum_scalar", x, scalar("0")), (std::vector<float>{0, 0.5f, 4}));
  EXPECT_EQ(run("_minimum_scalar", x, scalar("0")), (std::vector<float>{-3, 0, 0}));
  EXPECT_EQ(run("_hypot_scalar", std::vector<float>{3, -5}, scalar("4")),
            (std::vector<float>{5, std::hypot(5.0f, 4.0f)}));
  // Default scalar is 1.
  EXPECT_EQ(run("_plus_scalar", x), (std::vector<float>{-2, 1.5f, 5}));
  // is_int is accepted and does not change the float result.
  EXPECT_EQ(run("_plus_scalar", x, {{"scalar", "0.5"}, {"is_int", "False"}}),
            (std::vector<float>{-2.5f, 1, 4.5f}));
}

TEST(ScalarOps, DivisionByZeroFollowsIEEEForFloats) {
  auto d = run("_div_scalar", std::vector<float>{1, -1, 0}, scalar("0"));
  EXPECT_EQ(d[0], std::numeric_limits<float>::infinity());
  EXPECT_EQ(d[1], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(d[2]));
  auto m = run("_mod_scalar", std::vector<float>{1}, scalar("0"));
  EXPECT_TRUE(std::isnan(m[0]));
}

TEST(ScalarOps, ModuloTakesTheDivisorsSign) {
  EXPECT_EQ(run<int32_t>("_mod_scalar", {-7, 7, 6, -6}, scalar("3")),
            (std::vector<int32_t>{2, 1, 0, 0}));
  EXPECT_EQ(run<int32_t>("_mod_scalar", {-7, 7}, scalar("-3")), (std::vector<int32_t>{-1, -2}));
  EXPECT_EQ(run<int32_t>("_rmod_scalar", {3, -3, 0}, scalar("-7")),
            (std::vector<int32_t>{2, -1, 0}));
  EXPECT_EQ(run<float>("_mod_scalar", {-7.5f, 7.5f}, scalar("2")),
            (std::vector<float>{0.5f, 1.5f}));
  EXPECT_EQ(run<double>("_mod_scalar", {-7.5, 7.5}, scalar("-2")),
            (std::vector<double>{-1.5, -0.5}));
  EXPECT_EQ(run<uint8_t>("_mod_scalar", {250, 7}, scalar("4")), (std::vector<uint8_t>{2, 3}));
}

TEST(ScalarOps, IntegerDivisionNeverTraps) {
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(run<int32_t>("_div_scalar", {7, -7, 0}, scalar("0")), (std::vector<int32_t>{0, 0, 0}));
  EXPECT_EQ(run<int32_t>("_mod_scalar", {7, -7}, scalar("0")), (std::vector<int32_t>{0, 0}));
  EXPECT_EQ(run<int32_t>("_div_scalar", {kMin, 6}, scalar("-1")),
            (std::vector<int32_t>{kMin, -6}));
  EXPECT_EQ(run<int32_t>("_mod_scalar", {kMin, 6}, scalar("-1")), (std::vector<int32_t>{0, 0}));
  EXPECT_EQ(run<int32_t>("_rdiv_scalar", {0, 2, -1}, scalar("7")),
            (std::vector<int32_t>{0, 3, -7}));
  EXPECT_EQ(run<int64_t>("_rmod_scalar", {0, -1, 4}, scalar("7")),
            (std::vector<int64_t>{0, 0, 3}));
  EXPECT_EQ(run<int32_t>("_div_scalar", {7, -7}, scalar("2")), (std::vector<int32_t>{3, -3}));
}

TEST(ScalarOps, IntegersWrapWithIntegralScalars) {
  EXPECT_EQ(run<uint8_t>("_plus_scalar", {250, 1}, scalar("10")), (std::vector<uint8_t>{4, 11}));
  EXPECT_EQ(run<uint8_t>("_rminus_scalar", {1, 0}, scalar("0")), (std::vector<uint8_t>{255, 0}));
  EXPECT_EQ(run<int32_t>("_mul_scalar", {65536}, scalar("65536")), (std::vector<int32_t>{0}));
  EXPECT_EQ(run<int8_t>("_minus_scalar", {-128}, scalar("1")), (std::vector<int8_t>{127}));
}

TEST(ScalarOps, IntegersWithFractionalScalarsComputeInDouble) {
  // 3 + 0.5 = 3.5 -> 3;  -3 + 0.5 = -2.5 -> -2 (truncation, as a C cast).
  EXPECT_EQ(run<int32_t>("_plus_scalar", {3, -3}, scalar("0.5")), (std::vector<int32_t>{3, -2}));
  EXPECT_EQ(run<int32_t>("_mul_scalar", {3, 5}, scalar("1.5")), (std::vector<int32_t>{4, 7}));
  EXPECT_EQ(run<int64_t>("_power_scalar", {4, 9}, scalar("0.5")), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(run<uint8_t>("_greater_scalar", {2, 3}, scalar("2.5")), (std::vector<uint8_t>{0, 1}));
  // An integral scalar outside the type's range compares correctly too.
  EXPECT_EQ(run<uint8_t>("_lesser_scalar", {0, 255}, scalar("300")),
            (std::vector<uint8_t>{1, 1}));
  EXPECT_EQ(run<int8_t>("_greater_scalar", {-128, 127}, scalar("-200")),
            (std::vector<int8_t>{1, 1}));
}

TEST(ScalarOps, IntegerPower) {
  EXPECT_EQ(run<int32_t>("_power_scalar", {3, -2, 0}, scalar("4")),
            (std::vector<int32_t>{81, 16, 0}));
  EXPECT_EQ(run<int32_t>("_power_scalar", {2, 1, -1, 0}, scalar("-1")),
            (std::vector<int32_t>{0, 1, -1, 0}));
  EXPECT_EQ(run<int64_t>("_power_scalar", {7}, scalar("0")), (std::vector<int64_t>{1}));
  EXPECT_EQ(run<int64_t>("_power_scalar", {3}, scalar("39")),
            (std::vector<int64_t>{4052555153018976267LL}));
  EXPECT_EQ(run<uint8_t>("_power_scalar", {2, 3}, scalar("8")), (std::vector<uint8_t>{0, 161}));
  EXPECT_EQ(run<int32_t>("_rpower_scalar", {0, 1, 10, -1}, scalar("2")),
            (std::vector<int32_t>{1, 2, 1024, 0}));
}

TEST(ScalarOps, MaximumMinimumPropagateNaN) {
  auto mx = run("_maximum_scalar", std::vector<float>{kNaN, 1}, scalar("0"));
  EXPECT_TRUE(std::isnan(mx[0]));
  EXPECT_EQ(mx[1], 1.0f);
  auto mn = run("_minimum_scalar", std::vector<double>{3, -1}, scalar("nan"));
  EXPECT_TRUE(std::isnan(mn[0]) && std::isnan(mn[1]));
}

TEST(ScalarOps, SmoothL1) {
  // MXNet's documented example: sigma = 1.
  EXPECT_EQ(run<float>("smooth_l1", {1, 2, 3, 4}, scalar("1")),
            (std::vector<float>{0.5f, 1.5f, 2.5f, 3.5f}));
  // sigma = 2: |x| < 0.25 is quadratic, 0.5 * 4 * x^2; else |x| - 0.125.
  auto y = run<double>("smooth_l1", {0.1, -0.2, 1.0, -3.0}, scalar("2"));
  const double want[] = {0.02, 0.08, 0.875, 2.875};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(y[i], want[i], 1e-15);
}

TEST(ScalarOps, ComparisonsGiveOneOrZeroInTheInputDtype) {
  std::vector<float> x{1, 2, 3, kNaN};
  EXPECT_EQ(run("_equal_scalar", x, scalar("2")), (std::vector<float>{0, 1, 0, 0}));
  EXPECT_EQ(run("_not_equal_scalar", x, scalar("2")), (std::vector<float>{1, 0, 1, 1}));
  EXPECT_EQ(run("_greater_scalar", x, scalar("2")), (std::vector<float>{0, 0, 1, 0}));
  EXPECT_EQ(run("_greater_equal_scalar", x, scalar("2")), (std::vector<float>{0, 1, 1, 0}));
  EXPECT_EQ(run("_lesser_scalar", x, scalar("2")), (std::vector<float>{1, 0, 0, 0}));
  EXPECT_EQ(run("_lesser_equal_scalar", x, scalar("2")), (std::vector<float>{1, 1, 0, 0}));
  EXPECT_EQ(run<int32_t>("_equal_scalar", {-1, 5}, scalar("5")), (std::vector<int32_t>{0, 1}));
  std::vector<float> l{0, 2, -1};
  EXPECT_EQ(run("_logical_and_scalar", l, scalar("3")), (std::vector<float>{0, 1, 1}));
  EXPECT_EQ(run("_logical_and_scalar", l, scalar("0")), (std::vector<float>{0, 0, 0}));
  EXPECT_EQ(run("_logical_or_scalar", l, scalar("0")), (std::vector<float>{0, 1, 1}));
  EXPECT_EQ(run("_logical_xor_scalar", l, scalar("1")), (std::vector<float>{1, 0, 0}));
  auto h = run("_greater_scalar", std::vector<half_t>{half_t(0.5f), half_t(2.0f)}, scalar("1"));
  EXPECT_EQ(float(h[0]), 0.0f);
  EXPECT_EQ(float(h[1]), 1.0f);
}

TEST(ScalarOps, BoolInputsForComparisonsOnly) {
  bool in[3] = {true, false, true}, out[3] = {};
  const OpDef* op = find_op("_equal_scalar");
  Params p(op);
  p.set("scalar", "1");
  std::vector<DType> in_t{DType::kBool}, out_t(1);
  op->infer_type(p, &in_t, &out_t);
  EXPECT_EQ(out_t[0], DType::kBool);
  op->forward(OpContext{}, p, {TBlob{in, Shape{3}, DType::kBool}},
              {TBlob{out, Shape{3}, DType::kBool}});
  EXPECT_TRUE(out[0]);
  EXPECT_FALSE(out[1]);
  EXPECT_TRUE(out[2]);
  const OpDef* lx = find_op("_logical_xor_scalar");
  Params px(lx);
  lx->forward(OpContext{}, px, {TBlob{in, Shape{3}, DType::kBool}},
              {TBlob{out, Shape{3}, DType::kBool}});
  EXPECT_FALSE(out[0]);
  EXPECT_TRUE(out[1]);
  for (const char* name : {"_plus_scalar", "_mod_scalar", "_power_scalar", "smooth_l1"})
    expect_type_error(name, DType::kBool);
}

TEST(ScalarOps, BadParametersAreReported) {
  const OpDef* op = find_op("_plus_scalar");
  Params p(op);
  expect_error([&] { p.set("scalar", "abc"); }, MXL_ERR_VALUE, "_plus_scalar");
  expect_error([&] { p.set("is_int", "maybe"); }, MXL_ERR_VALUE, "is_int");
  expect_error([&] { p.set("sigma", "1"); }, MXL_ERR_KEY, "sigma");
}

TEST(ScalarOps, ZeroDimEmptyAndInPlace) {
  EXPECT_EQ(run("_mul_scalar", std::vector<double>{4}, scalar("2.5"), Shape{}),
            std::vector<double>{10});
  EXPECT_TRUE(run("_plus_scalar", std::vector<int32_t>{}, scalar("2"), Shape{2, 0}).empty());
  const int64_t n = 1 << 20;
  std::vector<float> x(n);
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(i % 100);
  const OpDef* op = find_op("_plus_scalar");
  Params p(op);
  p.set("scalar", "0.5");
  TBlob blob{x.data(), Shape{n}, DType::kFloat32};
  op->forward(OpContext{}, p, {blob}, {blob});
  for (int64_t i = 0; i < n; i += 4099) EXPECT_EQ(x[i], static_cast<float>(i % 100) + 0.5f);
}

}  // namespace
}  // namespace mxl
