// _backward_RNN called directly (the reserve is a hidden output, so only the
// core can hand it over), checked against central finite differences of the
// RNN forward in float64, and the hidden op's own input checks.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "op_test_util.h"
#include "operator/registry.h"

namespace mxl {
namespace {

using Attrs = std::vector<std::pair<std::string, std::string>>;

struct Arr {
  Shape shape;
  std::vector<double> data;
};

// Inference and the kernel as the invoke layer runs them; every output,
// hidden ones included.
std::vector<Arr> run(const std::string& name, const Attrs& attrs, std::vector<Arr> inputs) {
  const OpDef* op = Registry::get().find(name);
  Params p(op);
  for (const auto& kv : attrs) p.set(kv.first, kv.second);
  const int nout = op->num_outputs(p);
  std::vector<Shape> in_shapes, out_shapes(nout, Shape::unknown());
  std::vector<DType> in_types, out_types(nout, DType::kFloat64);
  for (const auto& a : inputs) {
    in_shapes.push_back(a.shape);
    in_types.push_back(DType::kFloat64);
  }
  op->infer_type(p, &in_types, &out_types);
  op->infer_shape(p, &in_shapes, &out_shapes);
  std::vector<Arr> outs(nout);
  std::vector<TBlob> ib, ob;
  for (auto& a : inputs) ib.push_back(TBlob{a.data.data(), a.shape, DType::kFloat64});
  for (int i = 0; i < nout; ++i) {
    outs[i].shape = out_shapes[i];
    outs[i].data.assign(out_shapes[i].numel(), 0.0);
    ob.push_back(TBlob{outs[i].data.data(), out_shapes[i], DType::kFloat64});
  }
  op->forward(OpContext{}, p, ib, ob);
  return outs;
}

struct Case {
  std::string mode;
  bool seq_len;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.mode << (c.seq_len ? " seqlen" : ""); }

class RnnBackwardTest : public ::testing::TestWithParam<Case> {};

TEST_P(RnnBackwardTest, MatchesFiniteDifferences) {
  const Case cs = GetParam();
  const bool lstm = cs.mode == "lstm";
  const int G = lstm ? 4 : cs.mode == "gru" ? 3 : 1;
  const int64_t T = 3, N = 2, I = 2, H = 2, L = 2, D = 2;
  const Attrs attrs{{"mode", cs.mode}, {"state_size", "2"}, {"num_layers", "2"},
                    {"bidirectional", "True"}, {"state_outputs", "True"},
                    {"use_sequence_length", cs.seq_len ? "True" : "False"}};
  int64_t nparam = 0;
  for (int64_t l = 0; l < L; ++l) nparam += D * G * H * ((l ? D * H : I) + H + 2);

  std::mt19937_64 gen(42);
  std::normal_distribution<double> normal(0.0, 0.6);
  auto random = [&](Shape s) {
    Arr a{s, std::vector<double>(s.numel())};
    for (auto& v : a.data) v = normal(gen);
    return a;
  };
  std::vector<Arr> inputs{random(Shape{T, N, I}), random(Shape{nparam}), random(Shape{L * D, N, H})};
  if (lstm) inputs.push_back(random(Shape{L * D, N, H}));
  const int ndiff = static_cast<int>(inputs.size());
  if (cs.seq_len) inputs.push_back(Arr{Shape{N}, {3.0, 1.0}});

  std::vector<Arr> fwd = run("RNN", attrs, inputs);
  const int nvis = lstm ? 3 : 2;
  ASSERT_EQ(static_cast<int>(fwd.size()), nvis + 1);  // out, hy, [cy], reserve
  std::vector<Arr> heads;
  for (int k = 0; k < nvis; ++k) heads.push_back(random(fwd[k].shape));

  std::vector<Arr> bin = inputs;
  bin.push_back(fwd[0]);
  bin.push_back(fwd[nvis]);
  for (const auto& h : heads) bin.push_back(h);
  std::vector<Arr> grads = run("_backward_RNN", attrs, bin);
  ASSERT_EQ(static_cast<int>(grads.size()), ndiff);

  auto objective = [&]() {
    std::vector<Arr> o = run("RNN", attrs, inputs);
    double s = 0;
    for (int k = 0; k < nvis; ++k)
      for (size_t i = 0; i < o[k].data.size(); ++i) s += o[k].data[i] * heads[k].data[i];
    return s;
  };
  const double eps = 1e-6;
  for (int a = 0; a < ndiff; ++a) {
    ASSERT_EQ(grads[a].shape, inputs[a].shape);
    for (size_t i = 0; i < inputs[a].data.size(); ++i) {
      const double orig = inputs[a].data[i];
      inputs[a].data[i] = orig + eps;
      const double fp = objective();
      inputs[a].data[i] = orig - eps;
      const double fm = objective();
      inputs[a].data[i] = orig;
      const double numeric = (fp - fm) / (2 * eps);
      EXPECT_NEAR(grads[a].data[i], numeric, 1e-7 + 1e-5 * std::fabs(numeric))
          << "input " << a << " element " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, RnnBackwardTest,
                         ::testing::Values(Case{"lstm", false}, Case{"gru", false},
                                           Case{"rnn_tanh", false}, Case{"rnn_relu", false},
                                           Case{"lstm", true}, Case{"gru", true}),
                         [](const auto& info) {
                           return info.param.mode + (info.param.seq_len ? "_seqlen" : "");
                         });

TEST(RnnBackward, RejectsAMismatchedReserve) {
  const Attrs attrs{{"mode", "gru"}, {"state_size", "2"}, {"num_layers", "1"}};
  const OpDef* op = Registry::get().find("_backward_RNN");
  Params p(op);
  for (const auto& kv : attrs) p.set(kv.first, kv.second);
  ASSERT_EQ(op->num_inputs(p), 6);
  EXPECT_EQ(op->list_input_names(p),
            (std::vector<std::string>{"data", "parameters", "state", "output", "reserve",
                                      "output_grad"}));
  // The reserve of (T, N, 4H) gates for T=3, N=2, H=2 has 48 elements.
  std::vector<Shape> in{Shape{3, 2, 1}, Shape{30}, Shape{1, 2, 2}, Shape{3, 2, 2}, Shape{47},
                        Shape{3, 2, 2}};
  std::vector<Shape> out(3, Shape::unknown());
  testing_util::expect_error([&] { op->infer_shape(p, &in, &out); }, MXL_ERR_VALUE,
                             "argument 'reserve' has shape (47,); expected (48,)");
}

}  // namespace
}  // namespace mxl
