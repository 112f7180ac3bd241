// Parameter schema parsing and the attribute cache, on an op registered only
// in this test binary.
#include <gtest/gtest.h>

#include "imperative/invoke.h"
#include "operator/registry.h"

namespace mxl {
namespace {

const OpDef* test_op() {
  static OpDef* op = [] {
    OpDef& d = Registry::get().add("_test_params_op");
    d.describe("test op")
        .add_input("data")
        .add_param("count", "int", "", "required int")
        .set_range(1, 10)
        .add_param("scale", "float", "1.5", "a float")
        .add_param("flag", "bool", "False", "a bool")
        .add_param("axis", "optional<shape>", "None", "axes")
        .add_param("begin", "shape_or_none", "()", "begin")
        .add_param("dtype", "dtype", "float32", "a dtype")
        .add_param("mode", "enum{clip,wrap,raise}", "clip", "an enum")
        .set_infer_shape([](const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
          (*out)[0] = (*in)[0];
        });
    return &d;
  }();
  return op;
}

TEST(Params, DefaultsAndParsing) {
  Params p(test_op());
  EXPECT_DOUBLE_EQ(p.get_float("scale"), 1.5);
  EXPECT_FALSE(p.get_bool("flag"));
  EXPECT_TRUE(p.is_none("axis"));
  EXPECT_EQ(p.get_dtype("dtype"), DType::kFloat32);
  EXPECT_EQ(p.get_enum("mode"), "clip");
  p.set("count", "3");
  p.set("scale", "-2e3");
  p.set("flag", "True");
  p.set("axis", "(1, -2)");
  p.set("begin", "(None, 2)");
  p.set("dtype", "int64");
  p.set("mode", "'wrap'");
  EXPECT_EQ(p.get_int("count"), 3);
  EXPECT_DOUBLE_EQ(p.get_float("scale"), -2000.0);
  EXPECT_TRUE(p.get_bool("flag"));
  EXPECT_EQ(p.get_shape("axis"), (std::vector<int64_t>{1, -2}));
  EXPECT_EQ(p.get_shape("begin"), (std::vector<int64_t>{kNoneDim, 2}));
  EXPECT_EQ(p.get_dtype("dtype"), DType::kInt64);
  EXPECT_EQ(p.get_enum("mode"), "wrap");
  EXPECT_EQ(p.get("mode").i, 1);
  p.set("axis", "3");
  EXPECT_EQ(p.get_shape("axis"), (std::vector<int64_t>{3}));
  p.set("axis", "(4,)");
  EXPECT_EQ(p.get_shape("axis"), (std::vector<int64_t>{4}));
  p.set("__lr_mult__", "2");  // graph attributes are ignored
}

int kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  return MXL_OK;
}

TEST(Params, ErrorsNameOpAndParameter) {
  Params p(test_op());
  try {
    p.set("cuont", "1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), MXL_ERR_KEY);
    EXPECT_NE(std::string(e.what()).find("_test_params_op"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("'cuont'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("count"), std::string::npos);
  }
  EXPECT_EQ(kind_of([&] { p.set("count", "11"); }), MXL_ERR_VALUE);  // range
  EXPECT_EQ(kind_of([&] { p.set("count", "x"); }), MXL_ERR_VALUE);
  EXPECT_EQ(kind_of([&] { p.set("flag", "yes"); }), MXL_ERR_VALUE);
  EXPECT_EQ(kind_of([&] { p.set("mode", "fold"); }), MXL_ERR_VALUE);
  EXPECT_EQ(kind_of([&] { p.set("dtype", "complex64"); }), MXL_ERR_VALUE);
  EXPECT_EQ(kind_of([&] { p.set("axis", "(1, x)"); }), MXL_ERR_VALUE);
  EXPECT_EQ(kind_of([&] { p.set("begin", "(1,,2)"); }), MXL_ERR_VALUE);
  EXPECT_EQ(kind_of([&] { p.set("scale", "None"); }), MXL_ERR_VALUE);  // not optional
  EXPECT_EQ(kind_of([&] { p.check_required(); }), MXL_ERR_VALUE);      // count missing
  p.set("count", "2");
  EXPECT_EQ(kind_of([&] { p.check_required(); }), MXL_OK);
}

TEST(Params, CacheReturnsTheSameParsedObject) {
  const char* keys[] = {"count", "axis"};
  const char* vals[] = {"2", "(0, 1)"};
  auto a = imperative::cached_params(test_op(), 2, keys, vals);
  auto b = imperative::cached_params(test_op(), 2, keys, vals);
  EXPECT_EQ(a.get(), b.get());  // parsed once
  const char* vals2[] = {"2", "(1,)"};
  auto c = imperative::cached_params(test_op(), 2, keys, vals2);
  EXPECT_NE(a.get(), c.get());
  EXPECT_EQ(c->get_shape("axis"), (std::vector<int64_t>{1}));
  const char* bad[] = {"0", "(1,)"};
  EXPECT_EQ(kind_of([&] { imperative::cached_params(test_op(), 2, keys, bad); }), MXL_ERR_VALUE);
}

TEST(Registry, JsonDocumentDescribesParams) {
  test_op();  // registered on first use
  const std::string doc = Registry::get().json();
  auto pos = doc.find("\"_test_params_op\"");
  ASSERT_NE(pos, std::string::npos);
  EXPECT_NE(doc.find("\"optional<shape>\"", pos), std::string::npos);
  EXPECT_NE(doc.find("\"enum\"", pos), std::string::npos);
  EXPECT_EQ(Registry::get().find("_test_params_op"), test_op());
  EXPECT_EQ(Registry::get().find("no_such_op"), nullptr);
}

}  // namespace
}  // namespace mxl
