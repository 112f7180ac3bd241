// Shape inference of the normalization ops with unknown parameter shapes (the
// symbolic case): data alone determines gamma, beta and the moving statistics.
#include <gtest/gtest.h>

#include <vector>

#include "op_test_util.h"
#include "operator/registry.h"

namespace mxl {
namespace {

std::vector<Shape> infer(const char* name, std::vector<Shape> in,
                         std::vector<std::pair<std::string, std::string>> attrs, int nout,
                         std::vector<Shape>* out) {
  const OpDef* op = Registry::get().find(name);
  EXPECT_NE(op, nullptr);
  Params p(op);
  for (auto& kv : attrs) p.set(kv.first, kv.second);
  out->assign(nout, Shape::unknown());
  op->infer_shape(p, &in, out);
  return in;
}

TEST(NormShapes, BatchNormFillsParameterShapes) {
  std::vector<Shape> out;
  auto in = infer("BatchNorm", {Shape{2, 5, 3}, Shape::unknown(), Shape::unknown(),
                                Shape::unknown(), Shape::unknown()}, {{"axis", "-1"}}, 3, &out);
  for (int i = 1; i < 5; ++i) EXPECT_EQ(in[i], (Shape{3}));
  EXPECT_EQ(out[0], (Shape{2, 5, 3}));
  EXPECT_EQ(out[1], (Shape{3}));
  EXPECT_EQ(out[2], (Shape{3}));
}

TEST(NormShapes, BatchNormUnknownDataLeavesOutputsUnknown) {
  std::vector<Shape> out;
  infer("BatchNorm", {Shape::unknown(), Shape{3}, Shape{3}, Shape{3}, Shape{3}}, {}, 3, &out);
  EXPECT_FALSE(out[0].known());
}

TEST(NormShapes, LayerAndGroupNormFillParameterShapes) {
  std::vector<Shape> out;
  auto in = infer("LayerNorm", {Shape{4, 6, 2}, Shape::unknown(), Shape::unknown()},
                  {{"axis", "1"}}, 3, &out);
  EXPECT_EQ(in[1], (Shape{6}));
  EXPECT_EQ(out[1], (Shape{4, 1, 2}));
  in = infer("GroupNorm", {Shape{4, 6, 2}, Shape::unknown(), Shape::unknown()},
             {{"num_groups", "3"}}, 3, &out);
  EXPECT_EQ(in[1], (Shape{3}));
  EXPECT_EQ(out[2], (Shape{4, 3}));
  in = infer("InstanceNorm", {Shape{4, 6, 2}, Shape::unknown(), Shape::unknown()}, {}, 3, &out);
  EXPECT_EQ(in[2], (Shape{6}));
}

TEST(NormShapes, WrongGammaShapeNamesTheArgument) {
  testing_util::expect_error(
      [] {
        std::vector<Shape> out;
        infer("BatchNorm", {Shape{2, 5}, Shape{4}, Shape{5}, Shape{5}, Shape{5}}, {}, 3, &out);
      },
      MXL_ERR_VALUE, "Operator BatchNorm: argument 'gamma' has shape (4,) but expected (5,)");
}

}  // namespace
}  // namespace mxl
