test_that("symbols compose like MXNet's R package", {
  data <- mx.symbol.Variable("data")
  fc1 <- mx.symbol.FullyConnected(data, num_hidden = 5, name = "fc1")
  act <- mx.symbol.Activation(fc1, act_type = "relu", name = "relu1")
  fc2 <- mx.symbol.FullyConnected(act, num_hidden = 3, name = "fc2")
  net <- mx.symbol.SoftmaxOutput(fc2, name = "softmax")
  expect_equal(mx.symbol.arguments(net), c("data", "fc1_weight", "fc1_bias", "fc2_weight",
                                           "fc2_bias", "softmax_label"))
  expect_equal(mx.symbol.outputs(net), "softmax_output")
  same <- mx.symbol.load.json(mlp_json())
  expect_equal(mx.symbol.arguments(same), mx.symbol.arguments(net))
  f <- tempfile(fileext = ".json")
  mx.symbol.save(net, f)
  expect_equal(mx.symbol.arguments(mx.symbol.load(f)), mx.symbol.arguments(net))
  g <- mx.symbol.Group(fc1, fc2)
  expect_equal(mx.symbol.outputs(g), c("fc1_output", "fc2_output"))
  cc <- mx.symbol.Concat(list(data, mx.symbol.Variable("other")), dim = 1)
  expect_equal(mx.symbol.arguments(cc), c("data", "other"))
})

test_that("shape inference speaks R dims", {
  net <- mx.symbol.load.json(mlp_json(hidden = 5, classes = 3))
  s <- mx.symbol.infer.shape(net, data = c(4, 6))   # 4 features, batch 6
  expect_true(s$complete)
  expect_equal(s$arg.shapes$fc1_weight, c(4L, 5L))
  expect_equal(s$arg.shapes$fc2_bias, 3L)
  expect_equal(s$out.shapes$softmax_output, c(3L, 6L))
  expect_equal(error_kind(mx.symbol.infer.shape(net, nothing = c(1, 2))), "KEY")
})

test_that("symbol errors are mxlite_error conditions", {
  data <- mx.symbol.Variable("data")
  expect_equal(error_kind(mx.symbol.FullyConnected(data, num_hidden = 0)), "VALUE")
  expect_equal(error_kind(mx.symbol.FullyConnected(data, num_hidden = 2, bogus = 1)), "KEY")
  expect_equal(error_kind(mx.symbol.relu(mx.nd.array(1))), "TYPE")
  expect_equal(error_kind(mx.symbol.Variable(3)), "TYPE")
})

test_that("a symbol built in R runs forward through CachedOp", {
  skip_if_not(mx.core.has("mxl_cached_op_create"), "the core lacks the CachedOp C ABI")
  data <- mx.symbol.Variable("data")
  net <- mx.symbol.Activation(mx.symbol.FullyConnected(data, num_hidden = 2, name = "fc"),
                              act_type = "tanh")
  W <- matrix(c(1, -1, 0.5, 2, 0, 1), 3, 2); b <- c(0.1, -0.2)
  model <- mx.model.from.symbol(net, list(fc_weight = mx.nd.array(W), fc_bias = mx.nd.array(b)))
  X <- matrix(c(1, 2, 3, -1, 0, 1), 3, 2)
  expect_equal(predict(model, X), tanh(t(W) %*% X + b), tolerance = 1e-6, ignore_attr = TRUE)
})
