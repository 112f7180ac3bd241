// The tape's mechanics, on two test-only ops whose gradients are written with
// each other: y = x*x (gradient 2*x*dy, itself differentiable) and z = a*b.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/gradient.h"
#include "autograd/state.h"
#include "autograd/tape.h"
#include "imperative/invoke.h"
#include "op_test_util.h"

namespace mxl {
namespace {

void mul_kernel(const OpContext&, const Params&, const std::vector<TBlob>& in,
                const std::vector<TBlob>& out) {
  const double* a = in[0].ptr<double>();
  const double* b = in[1].ptr<double>();
  for (int64_t i = 0; i < out[0].numel(); ++i) out[0].ptr<double>()[i] = a[i] * b[i];
}

void same_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
  (*out)[0] = (*in)[0];
}

MXL_REGISTER_OP(_test_mul)
    .add_input("a")
    .add_input("b")
    .set_infer_shape(same_shape)
    .set_forward(mul_kernel)
    .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
      return {b.op("_test_mul", {n.out_grads[0], n.inputs[1]}),
              b.op("_test_mul", {n.out_grads[0], n.inputs[0]})};
    });

NDArray make(std::vector<double> v) {
  NDArray a(Shape({static_cast<int64_t>(v.size())}), DType::kFloat64);
  a.copy_from_host(v.data(), v.size() * sizeof(double));
  return a;
}

std::vector<double> read(const NDArray& a) {
  std::vector<double> v(a.numel());
  a.copy_to_host(v.data(), v.size() * sizeof(double));
  return v;
}

autograd::Value mul(const autograd::Value& a, const autograd::Value& b) {
  const OpDef* op = Registry::get().find("_test_mul");
  std::vector<autograd::Value> out;
  autograd::apply(op, imperative::cached_params(op, 0, nullptr, nullptr), {a, b}, &out);
  return out[0];
}

struct Recording {
  Recording() { autograd::thread_state().recording = true; }
  ~Recording() { autograd::thread_state().recording = false; }
};

autograd::Value variable(std::vector<double> v, autograd::GradReq req = autograd::GradReq::kWrite) {
  NDArray x = make(v);
  NDArray g = make(std::vector<double>(v.size(), 0.0));
  return autograd::Value{x, autograd::mark_variable(x, g, req)};
}

TEST(Autograd, ChainAndFanOutAccumulate) {
  auto x = variable({1, 2, 3});
  autograd::Value y;
  {
    Recording r;
    auto sq = mul(x, x);   // x used twice: contributions sum
    y = mul(sq, x);        // x^3
  }
  autograd::backward({y}, {}, {}, false, false, true);
  auto g = read(x.entry.node->grad);
  EXPECT_DOUBLE_EQ(g[0], 3.0);
  EXPECT_DOUBLE_EQ(g[1], 12.0);
  EXPECT_DOUBLE_EQ(g[2], 27.0);
}

TEST(Autograd, HeadGradientAndGradReqAdd) {
  auto x = variable({1, 2}, autograd::GradReq::kAdd);
  for (int rep = 0; rep < 2; ++rep) {
    autograd::Value y;
    {
      Recording r;
      y = mul(x, x);
    }
    autograd::backward({y}, {make({10, 100})}, {}, false, false, true);
  }
  auto g = read(x.entry.node->grad);
  EXPECT_DOUBLE_EQ(g[0], 2 * 2 * 1 * 10.0);
  EXPECT_DOUBLE_EQ(g[1], 2 * 2 * 2 * 100.0);
}

TEST(Autograd, SecondOrderThroughCreateGraph) {
  auto x = variable({0.5, 2});
  autograd::Value y;
  {
    Recording r;
    y = mul(mul(x, x), x);  // x^3
  }
  autograd::Value dx;
  {
    Recording r;  // create_graph records the backward pass
    dx = autograd::backward({y}, {}, {x}, true, true, true)[0];  // 3x^2
  }
  EXPECT_TRUE(static_cast<bool>(dx.entry));
  auto first = read(dx.arr);
  EXPECT_DOUBLE_EQ(first[1], 12.0);
  auto d2 = autograd::backward({dx}, {}, {x}, false, false, true)[0];  // 6x
  auto second = read(d2.arr);
  EXPECT_DOUBLE_EQ(second[0], 3.0);
  EXPECT_DOUBLE_EQ(second[1], 12.0);
}

TEST(Autograd, FreedGraphAndUntrackedHeadsAreErrors) {
  auto x = variable({1});
  autograd::Value y;
  {
    Recording r;
    y = mul(x, x);
  }
  autograd::backward({y}, {}, {}, false, false, true);
  testing_util::expect_error([&] { autograd::backward({y}, {}, {}, false, false, true); },
                             MXL_ERR_VALUE, "retain_graph");
  autograd::Value plain{make({1}), {}};
  testing_util::expect_error([&] { autograd::backward({plain}, {}, {}, false, false, true); },
                             MXL_ERR_VALUE, "not part of a recorded graph");
}

TEST(Autograd, NotRecordingLeavesNoHistory) {
  auto x = variable({1});
  auto y = mul(x, x);
  EXPECT_FALSE(static_cast<bool>(y.entry));
}

TEST(Autograd, UnreachedVariableGetsZerosFromGrad) {
  auto x = variable({1, 2});
  auto w = variable({3, 4});
  autograd::Value y;
  {
    Recording r;
    y = mul(x, x);
  }
  auto g = autograd::backward({y}, {}, {w}, false, false, true);
  auto v = read(g[0].arr);
  EXPECT_EQ(v[0], 0.0);
  EXPECT_EQ(v[1], 0.0);
}

}  // namespace
}  // namespace mxl
