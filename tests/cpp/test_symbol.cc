// The symbol layer on test-only ops shaped like FullyConnected and BatchNorm
// (so these tests do not depend on which NN ops are registered): MXNet's
// composition and naming, lists, attributes, shape/dtype inference and JSON.
#include <gtest/gtest.h>

#include "c_api.h"
#include "op_test_util.h"
#include "symbol/indexed_graph.h"
#include "symbol/infer.h"
#include "symbol/json.h"
#include "symbol/symbol.h"

namespace mxl {
namespace {

using symbol::Symbol;
using testing_util::expect_error;

// Fills an unknown shape or checks a known one.
void require(Shape* s, const Shape& want, const char* op, const char* arg) {
  if (!s->known()) *s = want;
  MXL_CHECK(*s == want, MXL_ERR_VALUE, op_error_prefix(op, arg), " has shape ", s->str(),
            ", expected ", want.str());
}

void fc_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  const int64_t h = p.get_int("num_hidden");
  require(&(*in)[1], Shape({h, x.prod(1, x.ndim())}), "_test_sym_fc", "weight");
  if (in->size() > 2) require(&(*in)[2], Shape({h}), "_test_sym_fc", "bias");
  (*out)[0] = Shape({x[0], h});
}

void no_kernel(const OpContext&, const Params&, const std::vector<TBlob>&, const std::vector<TBlob>&) {}

void register_fc() {
  OpDef& fc = Registry::get()
                  .add("_test_sym_fc")
                  .add_input("data")
                  .add_input("weight")
                  .add_input("bias")
                  .add_param("num_hidden", "int", "", "units")
                  .add_param("no_bias", "bool", "False", "no bias input")
                  .set_infer_shape(fc_shape)
                  .set_forward(no_kernel);
  fc.num_inputs_fn = [](const Params& p) { return p.get_bool("no_bias") ? 2 : 3; };
}
MXL_REGISTER_BLOCK(register_fc);

void bn_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  for (int i = 1; i < 5; ++i) require(&(*in)[i], Shape({x[1]}), "_test_sym_bn", "gamma");
  (*out)[0] = x;
  (*out)[1] = (*out)[2] = Shape({x[1]});
}

MXL_REGISTER_OP(_test_sym_bn)
    .add_input("data")
    .add_input("gamma")
    .add_input("beta")
    .add_input("moving_mean")
    .add_input("moving_var")
    .set_outputs({"output", "mean", "var"})
    .add_param("output_mean_var", "bool", "False", "show the batch statistics")
    .add_mutate_input(3)
    .add_mutate_input(4)
    .set_num_visible_outputs([](const Params& p) { return p.get_bool("output_mean_var") ? 3 : 1; })
    .set_infer_shape(bn_shape)
    .set_forward(no_kernel);

const OpDef* op(const char* name) { return Registry::get().find(name); }

Symbol fc(const Symbol& x, int hidden, const std::string& name, symbol::AttrList extra = {}) {
  extra.emplace_back("num_hidden", std::to_string(hidden));
  return Symbol::create(op("_test_sym_fc"), extra, {x}, {}, name);
}

Symbol mlp() {
  Symbol data = Symbol::variable("data");
  Symbol h = fc(data, 8, "fc1");
  h = Symbol::create(op("relu"), {}, {h}, {}, "relu1");
  return fc(h, 3, "fc2");
}

using Names = std::vector<std::string>;

TEST(Symbol, CompositionCreatesNamedVariables) {
  Symbol s = mlp();
  EXPECT_EQ(s.list_arguments(), (Names{"data", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"}));
  EXPECT_EQ(s.list_outputs(), (Names{"fc2_output"}));
  EXPECT_TRUE(s.list_auxiliary_states().empty());
  // MXNet copies the node's attributes onto the variables it creates.
  Symbol w = s.internals().output(1);
  std::string v;
  ASSERT_TRUE(w.get_attr("name", &v));
  EXPECT_EQ(v, "fc1_weight");
  ASSERT_TRUE(w.get_attr("num_hidden", &v));
  EXPECT_EQ(v, "8");
}

TEST(Symbol, AutomaticNamesCountPerOp) {
  symbol::reset_auto_names();
  Symbol x = Symbol::variable("x");
  Symbol a = fc(x, 2, "");
  Symbol b = fc(a, 2, "");
  Symbol c = Symbol::create(op("relu"), {}, {b}, {}, "");
  EXPECT_EQ(c.list_outputs(), (Names{"relu0_output"}));
  EXPECT_EQ(b.list_arguments(), (Names{"x", "_test_sym_fc0_weight", "_test_sym_fc0_bias",
                                       "_test_sym_fc1_weight", "_test_sym_fc1_bias"}));
}

TEST(Symbol, KeywordInputsAndParamDependentInputs) {
  Symbol x = Symbol::variable("x"), w = Symbol::variable("W");
  Symbol s = Symbol::create(op("_test_sym_fc"), {{"num_hidden", "4"}, {"no_bias", "True"}}, {x},
                            {{"weight", w}}, "f");
  EXPECT_EQ(s.list_arguments(), (Names{"x", "W"}));
  expect_error([&] { Symbol::create(op("_test_sym_fc"), {{"num_hidden", "4"}}, {x}, {{"wieght", w}}, "g"); },
               MXL_ERR_KEY, "'wieght' is not an input; the inputs are: data, weight, bias");
  expect_error([&] { Symbol::create(op("_test_sym_fc"), {{"num_hidden", "4"}}, {x, w, w, w}, {}, "g"); },
               MXL_ERR_VALUE, "takes 3 inputs");
  expect_error([&] { Symbol::create(op("_test_sym_fc"), {{"num_hidden", "4"}}, {x}, {{"data", w}}, "g"); },
               MXL_ERR_VALUE, "given twice");
  expect_error([&] { Symbol::create(op("_test_sym_fc"), {{"num_hiden", "4"}}, {x}, {}, "g"); },
               MXL_ERR_KEY, "unknown parameter 'num_hiden'");
  expect_error([&] { Symbol::create(op("_test_sym_fc"), {}, {x}, {}, "g"); }, MXL_ERR_VALUE,
               "required parameter 'num_hidden'");
  Symbol pair = Symbol::group({x, w});
  expect_error([&] { fc(pair, 2, "g"); }, MXL_ERR_VALUE, "a group of 2 outputs");
}

TEST(Symbol, AuxiliaryStatesAndHiddenOutputs) {
  Symbol data = Symbol::variable("data");
  Symbol bn = Symbol::create(op("_test_sym_bn"), {}, {data}, {}, "bn");
  EXPECT_EQ(bn.list_arguments(), (Names{"data", "bn_gamma", "bn_beta"}));
  EXPECT_EQ(bn.list_auxiliary_states(), (Names{"bn_moving_mean", "bn_moving_var"}));
  EXPECT_EQ(bn.list_inputs(symbol::InputKind::kAll),
            (Names{"data", "bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_var"}));
  EXPECT_EQ(bn.list_outputs(), (Names{"bn_output"}));
  Symbol bn3 = Symbol::create(op("_test_sym_bn"), {{"output_mean_var", "True"}}, {data}, {}, "bn3");
  EXPECT_EQ(bn3.list_outputs(), (Names{"bn3_output", "bn3_mean", "bn3_var"}));
  EXPECT_EQ(bn.internals().list_outputs(),
            (Names{"data", "bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_var", "bn_output"}));
  // Mutated inputs are versioned, as in MXNet's JSON.
  const std::string json = symbol::to_json(bn);
  EXPECT_NE(json.find("[[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 1], [4, 0, 1]]"), std::string::npos)
      << json;
  // An op output cannot be an auxiliary state.
  Symbol y = fc(data, 4, "y");
  expect_error([&] { Symbol::create(op("_test_sym_bn"), {}, {data}, {{"moving_mean", y}}, "b2"); },
               MXL_ERR_VALUE, "must be a variable");
}

TEST(Symbol, InferShapeCompletePartialAndConflicts) {
  Symbol s = mlp();
  symbol::ShapeResult r = symbol::infer_shape(s, {"data"}, {Shape({5, 10})});
  EXPECT_TRUE(r.complete);
  ASSERT_EQ(r.args.size(), 5u);
  EXPECT_EQ(r.args[1], Shape({8, 10}));
  EXPECT_EQ(r.args[3], Shape({3, 8}));
  EXPECT_EQ(r.args[4], Shape({3}));
  EXPECT_EQ(r.outs[0], Shape({5, 3}));
  // Positional values follow list_arguments.
  r = symbol::infer_shape(s, {}, {Shape({2, 4})});
  EXPECT_EQ(r.outs[0], Shape({2, 3}));
  // Unknown batch: everything but the batch extent is still inferred.
  r = symbol::infer_shape(s, {"data"}, {Shape({0, 10})});
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.args[1], Shape({8, 10}));
  EXPECT_EQ(r.outs[0], Shape({0, 3}));
  // Nothing known.
  r = symbol::infer_shape(s, {}, {});
  EXPECT_FALSE(r.complete);
  EXPECT_FALSE(r.args[1].known());
  // A partial weight shape (Gluon's deferred initialization) is completed.
  r = symbol::infer_shape(s, {"data", "fc1_weight"}, {Shape({5, 10}), Shape({8, 0})});
  EXPECT_TRUE(r.complete);
  expect_error([&] { symbol::infer_shape(s, {"data", "fc1_weight"}, {Shape({5, 10}), Shape({1, 10})}); },
               MXL_ERR_VALUE, "Error in operator fc1");
  expect_error([&] { symbol::infer_shape(s, {"dta"}, {Shape({5, 10})}); }, MXL_ERR_KEY,
               "'dta' is not an input");
  expect_error([&] { symbol::infer_shape(s, {}, std::vector<Shape>(6, Shape({1}))); }, MXL_ERR_VALUE,
               "6 positional values");
}

TEST(Symbol, InferShapeUsesVariableAttributesAndOutputsBackwards) {
  Symbol data = Symbol::variable("data");
  data.set_attr("__shape__", "(4, 6)");
  Symbol s = fc(data, 2, "f");
  symbol::ShapeResult r = symbol::infer_shape(s, {}, {});
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.outs[0], Shape({4, 2}));
  // A value given by the caller wins over the attribute.
  r = symbol::infer_shape(s, {"data"}, {Shape({3, 6})});
  EXPECT_EQ(r.outs[0], Shape({3, 2}));
  // elemwise_add infers either input from the other (and from its output).
  Symbol a = Symbol::variable("a"), b = Symbol::variable("b");
  Symbol sum = Symbol::create(op("elemwise_add"), {}, {a, b}, {}, "sum");
  r = symbol::infer_shape(sum, {"b"}, {Shape({2, 2})});
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.args[0], Shape({2, 2}));
}

TEST(Symbol, InferType) {
  Symbol s = mlp();
  symbol::TypeResult r = symbol::infer_type(s, {"data"}, {static_cast<int>(DType::kFloat64)});
  EXPECT_TRUE(r.complete);
  for (int t : r.args) EXPECT_EQ(t, static_cast<int>(DType::kFloat64));
  EXPECT_EQ(r.outs[0], static_cast<int>(DType::kFloat64));
  r = symbol::infer_type(s, {}, {});
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.outs[0], -1);
  Symbol a = Symbol::variable("a"), b = Symbol::variable("b");
  Symbol sum = Symbol::create(op("elemwise_add"), {}, {a, b}, {}, "sum");
  expect_error([&] {
    symbol::infer_type(sum, {"a", "b"}, {static_cast<int>(DType::kFloat32), static_cast<int>(DType::kInt32)});
  }, MXL_ERR_TYPE, "Error in operator sum");
  // __dtype__ holds MXNet's type flag (1 = float64).
  a.set_attr("__dtype__", "1");
  r = symbol::infer_type(sum, {}, {});
  EXPECT_EQ(r.args[1], static_cast<int>(DType::kFloat64));
}

TEST(Symbol, Attributes) {
  Symbol x = Symbol::variable("x");
  Symbol f = fc(x, 4, "f", {{"lr_mult", "2"}, {"__mood__", "calm"}});
  std::string v;
  ASSERT_TRUE(f.get_attr("__lr_mult__", &v));
  EXPECT_EQ(v, "2");
  ASSERT_TRUE(f.get_attr("lr_mult", &v));  // MXNet's shorthand finds __lr_mult__
  EXPECT_FALSE(f.get_attr("missing", &v));
  symbol::AttrList shallow = f.list_attr();
  EXPECT_NE(std::find(shallow.begin(), shallow.end(), std::make_pair(std::string("lr_mult"), std::string("2"))),
            shallow.end());
  // Setting a parameter parses it; a bad value keeps the old one.
  f.set_attr("num_hidden", "6");
  EXPECT_EQ(symbol::infer_shape(f, {"x"}, {Shape({1, 2})}).outs[0], Shape({1, 6}));
  expect_error([&] { f.set_attr("num_hidden", "six"); }, MXL_ERR_VALUE, "num_hidden");
  ASSERT_TRUE(f.get_attr("num_hidden", &v));
  EXPECT_EQ(v, "6");
  expect_error([&] { f.set_attr("weight_lr_mult", "1"); }, MXL_ERR_VALUE, "deprecated");
  expect_error([&] { Symbol::group({x, f}).set_attr("a", "b"); }, MXL_ERR_VALUE, "single head node");
  EXPECT_FALSE(Symbol::group({x, f}).get_attr("name", &v));
  f.set_attr("name", "g");
  EXPECT_EQ(f.list_outputs(), (Names{"g_output"}));
}

TEST(Symbol, JsonRoundTripAndIndexedGraph) {
  Symbol data = Symbol::variable("data");
  Symbol bn = Symbol::create(op("_test_sym_bn"), {{"__ctx_group__", "dev1"}}, {fc(data, 4, "fc")}, {}, "bn");
  Symbol s = Symbol::group({bn, data});
  const std::string json = symbol::to_json(s);
  Symbol back = symbol::from_json(json);
  EXPECT_EQ(symbol::to_json(back), json);
  EXPECT_EQ(back.list_arguments(), s.list_arguments());
  EXPECT_EQ(back.list_auxiliary_states(), s.list_auxiliary_states());
  EXPECT_EQ(back.list_outputs(), s.list_outputs());
  symbol::IndexedGraph g(back);
  EXPECT_EQ(g.num_nodes(), 9u);  // data, fc_weight, fc_bias, fc, gamma, beta, mean, var, bn
  EXPECT_EQ(g.num_entries(), 11u);  // bn has three outputs
  EXPECT_EQ(g.auxiliary_nodes().size(), 2u);
  EXPECT_TRUE(g.is_mutable_input(g.auxiliary_nodes()[0]));
  EXPECT_EQ(g.outputs()[1].node, 0u);
}

TEST(Symbol, JsonLegacyFilesAndErrors) {
  // MXNet 0.8: "param" and "attr" keys, no version, auxiliary states left out.
  const std::string old = R"({"nodes": [
      {"op": "null", "param": {}, "name": "data", "inputs": [], "backward_source_id": -1,
       "attr": {"ctx_group": "stage1"}},
      {"op": "_test_sym_bn", "param": {"output_mean_var": "False"}, "name": "bn",
       "inputs": [[0, 0], [0, 0], [0, 0]], "backward_source_id": -1}],
    "arg_nodes": [0], "heads": [[1, 0]]})";
  Symbol s = symbol::from_json(old);
  EXPECT_EQ(s.list_auxiliary_states(), (Names{"bn_moving_mean", "bn_moving_var"}));
  std::string v;
  ASSERT_TRUE(s.internals().output(0).get_attr("__ctx_group__", &v));
  EXPECT_EQ(v, "stage1");
  expect_error([] { symbol::from_json("{\"nodes\": [{\"op\": \"NoSuchOp\", \"name\": \"x\", \"inputs\": []}], \"heads\": [[0, 0, 0]]}"); },
               MXL_ERR_KEY, "unknown operator 'NoSuchOp'");
  expect_error([] { symbol::from_json("{\"nodes\": [}"); }, MXL_ERR_VALUE, "malformed");
  expect_error([] { symbol::from_json("[1, 2]"); }, MXL_ERR_VALUE, "\"nodes\"");
  expect_error([] {
    symbol::from_json(R"({"nodes": [{"op": "relu", "name": "r", "inputs": [[1, 0, 0]]},
                                    {"op": "null", "name": "x", "inputs": []}], "heads": [[0, 0, 0]]})");
  }, MXL_ERR_VALUE, "topological order");
  expect_error([] {
    symbol::from_json(R"({"nodes": [{"op": "null", "name": "x", "inputs": []},
                                    {"op": "relu", "name": "r", "inputs": [[0, 0, 0], [0, 0, 0]]}],
                          "heads": [[1, 0, 0]], "attrs": {"mxnet_version": ["int", 10901]}})");
  }, MXL_ERR_VALUE, "takes 1 inputs, but 2 are listed");
  expect_error([] {
    symbol::from_json(R"({"nodes": [{"op": "null", "name": "x", "inputs": []}], "heads": [[0, 1, 0]]})");
  }, MXL_ERR_VALUE, "reads output 1");
}

TEST(Symbol, ComposeReplacesVariables) {
  Symbol inner = fc(Symbol::variable("x"), 4, "inner");
  Symbol outer = Symbol::create(op("relu"), {}, {Symbol::variable("h")}, {}, "act");
  Symbol joined = outer.compose({}, {{"h", inner}}, "joined");
  EXPECT_EQ(joined.list_arguments(), (Names{"x", "inner_weight", "inner_bias"}));
  EXPECT_EQ(joined.list_outputs(), (Names{"joined_output"}));
  EXPECT_EQ(outer.list_arguments(), (Names{"h"}));  // the original is untouched
  expect_error([&] { outer.compose({}, {{"nope", inner}}, ""); }, MXL_ERR_KEY, "'nope'");
}

TEST(Symbol, ShapeAttributeText) {
  EXPECT_EQ(symbol::parse_shape_attr("v", "(2, 3)"), Shape({2, 3}));
  EXPECT_EQ(symbol::parse_shape_attr("v", "[2,3]"), Shape({2, 3}));
  EXPECT_EQ(symbol::parse_shape_attr("v", "(2L, 3L)"), Shape({2, 3}));
  EXPECT_EQ(symbol::parse_shape_attr("v", "(5,)"), Shape({5}));
  EXPECT_EQ(symbol::parse_shape_attr("v", "5"), Shape({5}));
  EXPECT_FALSE(symbol::parse_shape_attr("v", "()").known());
  EXPECT_EQ(symbol::parse_shape_attr("v", "(-1, 3)"), Shape({0, 3}));
  expect_error([] { symbol::parse_shape_attr("v", "2, 3"); }, MXL_ERR_VALUE, "variable 'v'");
  expect_error([] { symbol::parse_dtype_attr("v", "12"); }, MXL_ERR_TYPE, "bfloat16");
}

// The C ABI: handles, size queries, and failures that leave outputs alone.
std::string last_message() {
  uint64_t needed = 0;
  mxl_last_error(nullptr, nullptr, 0, &needed);
  std::string m(needed, '\0');
  mxl_last_error(nullptr, &m[0], needed, nullptr);
  m.resize(needed ? needed - 1 : 0);
  return m;
}

TEST(SymbolCApi, HandlesErrorsAndSizeQueries) {
  symbol::reset_auto_names();
  int64_t live0 = 0, live1 = 0;
  mxl_live_handles(&live0);
  mxl_symbol_t *x = nullptr, *out = nullptr;
  ASSERT_EQ(mxl_symbol_create_variable("x", &x), MXL_OK);
  mxl_op_t* relu = nullptr;
  ASSERT_EQ(mxl_op_get("relu", &relu), MXL_OK);
  ASSERT_EQ(mxl_symbol_create_op(relu, 0, nullptr, nullptr, 1, nullptr, &x, nullptr, &out), MXL_OK);

  // Size query, then copy.
  uint64_t needed = 0;
  ASSERT_EQ(mxl_symbol_list(out, MXL_SYMBOL_OUTPUTS, nullptr, 0, &needed), MXL_OK);
  std::string buf(needed, '\0');
  ASSERT_EQ(mxl_symbol_list(out, MXL_SYMBOL_OUTPUTS, &buf[0], needed, nullptr), MXL_OK);
  EXPECT_STREQ(buf.c_str(), "[\"relu0_output\"]");
  char small[4] = "abc";
  EXPECT_EQ(mxl_symbol_list(out, MXL_SYMBOL_OUTPUTS, small, sizeof small, nullptr), MXL_ERR_VALUE);
  EXPECT_STREQ(small, "abc");  // untouched
  EXPECT_EQ(mxl_symbol_list(out, 9, nullptr, 0, &needed), MXL_ERR_VALUE);

  int32_t found = 7;
  needed = 5;
  ASSERT_EQ(mxl_symbol_get_attr(out, "missing", &found, nullptr, 0, &needed), MXL_OK);
  EXPECT_EQ(found, 0);
  EXPECT_EQ(needed, 0u);
  ASSERT_EQ(mxl_symbol_get_attr(out, "name", &found, nullptr, 0, &needed), MXL_OK);
  EXPECT_EQ(found, 1);
  EXPECT_EQ(needed, 6u);  // "relu0" + NUL

  // Bad handles and arguments fail with a kind and leave outputs alone.
  mxl_symbol_t* untouched = reinterpret_cast<mxl_symbol_t*>(0x1);
  EXPECT_EQ(mxl_symbol_copy(nullptr, &untouched), MXL_ERR_INVALID_HANDLE);
  EXPECT_EQ(untouched, reinterpret_cast<mxl_symbol_t*>(0x1));
  EXPECT_EQ(mxl_symbol_create_variable("", &untouched), MXL_ERR_VALUE);
  EXPECT_EQ(mxl_symbol_create_op(nullptr, 0, nullptr, nullptr, 1, nullptr, &x, nullptr, &untouched),
            MXL_ERR_INVALID_HANDLE);
  EXPECT_EQ(mxl_symbol_from_json(nullptr, &untouched), MXL_ERR_VALUE);
  EXPECT_EQ(mxl_symbol_from_json("{", &untouched), MXL_ERR_VALUE);
  EXPECT_NE(last_message().find("malformed"), std::string::npos);
  EXPECT_EQ(mxl_symbol_get_output(out, 1, &untouched), MXL_ERR_INDEX);
  EXPECT_EQ(mxl_symbol_group(0, nullptr, &untouched), MXL_ERR_VALUE);
  EXPECT_EQ(untouched, reinterpret_cast<mxl_symbol_t*>(0x1));
  const int32_t ndim = 2;
  const int64_t dims[2] = {2, -3};
  EXPECT_EQ(mxl_symbol_infer_shape(out, 1, nullptr, &ndim, dims, nullptr, 0, &needed), MXL_ERR_VALUE);
  const int32_t bad_dtype = 12345;
  EXPECT_EQ(mxl_symbol_infer_type(out, 1, nullptr, &bad_dtype, nullptr, 0, &needed), MXL_ERR_TYPE);
  const char* key = "data";
  EXPECT_EQ(mxl_symbol_create_op(relu, 0, nullptr, nullptr, 1, &key, &x, nullptr, &untouched), MXL_OK);
  mxl_symbol_free(untouched);
  const char* wrong = "input";
  untouched = nullptr;
  EXPECT_EQ(mxl_symbol_create_op(relu, 0, nullptr, nullptr, 1, &wrong, &x, nullptr, &untouched), MXL_ERR_KEY);
  EXPECT_EQ(untouched, nullptr);
  EXPECT_NE(last_message().find("'input' is not an input"), std::string::npos);

  mxl_symbol_t* dead = nullptr;
  ASSERT_EQ(mxl_symbol_copy(out, &dead), MXL_OK);
  mxl_symbol_free(dead);
  mxl_symbol_free(nullptr);
  mxl_symbol_free(out);
  mxl_symbol_free(x);
  mxl_op_free(relu);
  mxl_live_handles(&live1);
  EXPECT_EQ(live1, live0);
}

}  // namespace
}  // namespace mxl
