// The oneDNN float32 convolution kernels against the im2col + BLAS
// reference on the same geometry (forward, data gradient, weight and bias
// gradient), the primitive cache, and Convolution's shape inference filling
// unknown weight/bias shapes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "operator/conv_im2col.h"
#include "operator/conv_kernels.h"
#include "operator/dnnl/dnnl_conv.h"
#include "operator/registry.h"

namespace mxl {
namespace {

std::vector<float> random_vec(int64_t n, std::mt19937& gen) {
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> v(n);
  for (auto& x : v) x = u(gen);
  return v;
}

void expect_close(const std::vector<float>& a, const std::vector<float>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], 1e-4f * (1.f + std::fabs(b[i]))) << what << " at " << i;
}

// nsp spatial dims in the last slots, like conv_geometry builds them.
ConvGeom make_geom(int nsp, int64_t N, int64_t C, int64_t OC, int64_t G,
                   std::vector<int64_t> in, std::vector<int64_t> k, std::vector<int64_t> s,
                   std::vector<int64_t> d, std::vector<int64_t> p, std::vector<int64_t> extra_out) {
  ConvGeom g;
  g.nsp = nsp;
  g.N = N, g.C = C, g.OC = OC, g.G = G;
  for (int i = 0; i < nsp; ++i) {
    const int slot = 3 - nsp + i;
    g.in[slot] = in[i], g.k[slot] = k[i], g.s[slot] = s[i], g.d[slot] = d[i], g.p[slot] = p[i];
    // extra_out lowers the output below the padded size, which gives a
    // right padding smaller than p (even negative).
    g.out[slot] = (in[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) / s[i] + 1 - extra_out[i];
  }
  return g;
}

class DnnlConvTest : public ::testing::TestWithParam<int> {};

std::vector<ConvGeom> geometries() {
  return {
      make_geom(1, 2, 3, 4, 1, {9}, {3}, {1}, {1}, {1}, {0}),
      make_geom(1, 2, 4, 6, 2, {13}, {3}, {2}, {2}, {1}, {1}),
      make_geom(2, 2, 8, 16, 1, {10, 9}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {0, 0}),
      make_geom(2, 1, 6, 6, 6, {8, 8}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {0, 1}),  // depthwise
      make_geom(2, 2, 16, 32, 2, {7, 7}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0}),
      make_geom(2, 1, 4, 4, 1, {9, 9}, {3, 3}, {2, 2}, {1, 1}, {0, 0}, {1, 1}),  // pad_r < 0
      make_geom(3, 1, 2, 3, 1, {5, 6, 7}, {3, 3, 3}, {1, 2, 1}, {1, 1, 2}, {1, 1, 1}, {0, 0, 0}),
  };
}

TEST_P(DnnlConvTest, MatchesIm2colReference) {
  const ConvGeom g = geometries()[GetParam()];
  std::mt19937 gen(42 + GetParam());
  const auto x = random_vec(g.x_numel(), gen), w = random_vec(g.w_numel(), gen),
             b = random_vec(g.OC, gen), dy = random_vec(g.y_numel(), gen);

  std::vector<float> y_ref(g.y_numel()), dx_ref(g.x_numel()), dw_ref(g.w_numel()),
      db_ref(g.OC);
  im2col_conv_forward<float>(g, x.data(), w.data(), b.data(), y_ref.data());
  im2col_conv_backward_data<float>(g, dy.data(), w.data(), dx_ref.data());
  im2col_conv_backward_weights<float>(g, x.data(), dy.data(), dw_ref.data(), db_ref.data());

  // oneDNN directly (it may refuse a geometry; then the dispatch below falls
  // back to im2col).
  std::vector<float> y(g.y_numel()), dx(g.x_numel()), dw(g.w_numel()), db(g.OC);
  if (dnnl_util::conv_forward_f32(g, x.data(), w.data(), b.data(), y.data()))
    expect_close(y, y_ref, "forward");
  if (dnnl_util::conv_backward_data_f32(g, dy.data(), w.data(), dx.data()))
    expect_close(dx, dx_ref, "data gradient");
  if (dnnl_util::conv_backward_weights_f32(g, x.data(), dy.data(), dw.data(), db.data())) {
    expect_close(dw, dw_ref, "weight gradient");
    expect_close(db, db_ref, "bias gradient");
  }

  // The dtype dispatch (oneDNN or its fallback), both gradients at once.
  std::vector<float> y2(g.y_numel()), dx2(g.x_numel()), dw2(g.w_numel()), db2(g.OC);
  conv_forward(DType::kFloat32, g, x.data(), w.data(), b.data(), y2.data());
  expect_close(y2, y_ref, "dispatched forward");
  conv_backward(DType::kFloat32, g, x.data(), w.data(), dy.data(), dx2.data(), dw2.data(),
                db2.data());
  expect_close(dx2, dx_ref, "combined data gradient");
  expect_close(dw2, dw_ref, "combined weight gradient");
  expect_close(db2, db_ref, "combined bias gradient");

  // Through the blocked copy of x a forward leaves (Convolution's hidden
  // blocked_data output).  When it was filled, the weight gradient must come
  // from it: x itself is then passed as zeros.
  std::vector<float> copy(conv_blocked_data_size(g), -1.f), y3(g.y_numel()), dx3(g.x_numel()),
      dw3(g.w_numel()), db3(g.OC);
  conv_forward(DType::kFloat32, g, x.data(), w.data(), b.data(), y3.data(), copy.data());
  expect_close(y3, y_ref, "forward keeping its blocked data");
  ASSERT_TRUE(copy.back() == 0.f || copy.back() == 1.f);
  const std::vector<float> zeros(g.x_numel(), 0.f);
  const bool filled = copy.back() == 1.f;
  EXPECT_EQ(filled, copy.size() > 1);
  conv_backward(DType::kFloat32, g, filled ? zeros.data() : x.data(), w.data(), dy.data(),
                dx3.data(), dw3.data(), db3.data(), copy.data());
  expect_close(dx3, dx_ref, "data gradient next to the blocked data");
  expect_close(dw3, dw_ref, "weight gradient from the blocked data");
  expect_close(db3, db_ref, "bias gradient next to the blocked data");
}

INSTANTIATE_TEST_SUITE_P(Geometries, DnnlConvTest, ::testing::Range(0, 7));

// The benchmark's layer (64 channels) runs in oneDNN's blocked layout, so
// Convolution keeps a blocked copy of its data for the weight gradient; a
// float64 forward leaves it unfilled.
TEST(DnnlConv, BlockedDataIsKeptForBlockedLayouts) {
  const ConvGeom g = make_geom(2, 2, 64, 64, 1, {8, 8}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {0, 0});
  const int64_t size = conv_blocked_data_size(g);
  EXPECT_GE(size, g.x_numel() + 1);
  std::mt19937 gen(3);
  const auto x = random_vec(g.x_numel(), gen), w = random_vec(g.w_numel(), gen);
  std::vector<float> copy(size, -1.f), y(g.y_numel());
  conv_forward(DType::kFloat32, g, x.data(), w.data(), nullptr, y.data(), copy.data());
  EXPECT_EQ(copy.back(), 1.f);
  std::vector<double> xd(x.begin(), x.end()), wd(w.begin(), w.end()), yd(g.y_numel());
  conv_forward(DType::kFloat64, g, xd.data(), wd.data(), nullptr, yd.data(), copy.data());
  EXPECT_EQ(copy.back(), 0.f);
}

TEST(DnnlConv, PrimitivesAreCached) {
  const ConvGeom g = make_geom(2, 1, 3, 5, 1, {6, 6}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {0, 0});
  std::mt19937 gen(7);
  const auto x = random_vec(g.x_numel(), gen), w = random_vec(g.w_numel(), gen);
  std::vector<float> y(g.y_numel());
  dnnl_util::conv_forward_f32(g, x.data(), w.data(), nullptr, y.data());
  const size_t after_first = dnnl_util::conv_cache_size();
  for (int i = 0; i < 3; ++i) dnnl_util::conv_forward_f32(g, x.data(), w.data(), nullptr, y.data());
  EXPECT_EQ(dnnl_util::conv_cache_size(), after_first);
  // A different shape is a new entry.
  ConvGeom g2 = g;
  g2.N = 2;
  std::vector<float> x2(g2.x_numel(), 0.5f), y2(g2.y_numel());
  dnnl_util::conv_forward_f32(g2, x2.data(), w.data(), nullptr, y2.data());
  EXPECT_EQ(dnnl_util::conv_cache_size(), after_first + 1);
}

// Shape inference fills weight and bias shapes left unknown (symbolic
// inference relies on it) and checks known ones.
TEST(ConvShape, FillsUnknownWeightAndBias) {
  for (const char* name : {"Convolution", "Deconvolution"}) {
    const OpDef* op = Registry::get().find(name);
    ASSERT_NE(op, nullptr);
    Params p(op);
    p.set("kernel", "(3, 3)");
    p.set("num_filter", "8");
    p.set("num_group", "2");
    p.set("no_bias", "False");
    p.set("stride", "(2, 2)");
    std::vector<Shape> in{Shape{4, 6, 9, 9}, Shape::unknown(), Shape::unknown()};
    // Convolution has a hidden second output (its blocked data).
    std::vector<Shape> out(op->num_outputs(p), Shape::unknown());
    op->infer_shape(p, &in, &out);
    const bool deconv = std::string(name) == "Deconvolution";
    EXPECT_EQ(in[1], deconv ? (Shape{6, 4, 3, 3}) : (Shape{8, 3, 3, 3})) << name;
    EXPECT_EQ(in[2], (Shape{8})) << name;
    EXPECT_EQ(out[0], deconv ? (Shape{4, 8, 19, 19}) : (Shape{4, 8, 4, 4})) << name;
    // Unknown data: nothing can be inferred yet, and that is not an error.
    std::vector<Shape> in2{Shape::unknown(), Shape::unknown(), Shape::unknown()};
    std::vector<Shape> out2(op->num_outputs(p), Shape::unknown());
    op->infer_shape(p, &in2, &out2);
    EXPECT_FALSE(out2[0].known());
  }
}

}  // namespace
}  // namespace mxl
