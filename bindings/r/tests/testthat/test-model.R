test_that("symbol JSON loads, lists its names and writes JSON back", {
  s <- mx.symbol.load.json(mlp_json())
  expect_equal(mx.symbol.arguments(s), c("data", "fc1_weight", "fc1_bias", "fc2_weight",
                                         "fc2_bias", "softmax_label"))
  expect_equal(mx.symbol.outputs(s), "softmax_output")
  expect_equal(mx.symbol.auxiliary.states(s), character(0))
  s2 <- mx.symbol.load.json(mx.symbol.to.json(s))
  expect_equal(mx.symbol.arguments(s2), mx.symbol.arguments(s))
  expect_match(capture.output(print(s)), "softmax_output")
  expect_equal(error_kind(mx.symbol.load.json("{not json")), "VALUE")
  expect_equal(error_kind(mx.symbol.load(tempfile())), "VALUE")
  mx.symbol.dispose(s)
  expect_equal(error_kind(mx.symbol.arguments(s)), "INVALID_HANDLE")
})

test_that("arrays round trip through mx.nd.save / mx.nd.load", {
  skip_if_not(params_abi_available(), "the core lacks the .params C ABI (mxl_arrays_*)")
  f <- tempfile(fileext = ".params")
  a <- mx.nd.array(matrix(c(1, 2, 3, 4, 5, 6), 2, 3))
  b <- mx.nd.array(1:4, dtype = "int32")
  mx.nd.save(list(first = a, second = b), f)
  got <- mx.nd.load(f)
  expect_equal(names(got), c("first", "second"))
  expect_equal(as.array(got$first), as.array(a))
  expect_equal(mx.nd.dtype(got$second), "int32")
  mx.nd.save(list(a, b), f)
  expect_null(names(mx.nd.load(f)))
  expect_equal(error_kind(mx.nd.load(tempfile())), "VALUE")
})

test_that("a symbol runs forward through CachedOp like R's own arithmetic", {
  skip_if_not(mx.core.has("mxl_cached_op_create"), "the core lacks the CachedOp C ABI")
  set.seed(5)
  W1 <- matrix(rnorm(20), 4, 5); b1 <- rnorm(5)
  W2 <- matrix(rnorm(15), 5, 3); b2 <- rnorm(3)
  model <- mxlite:::.mx.model(mx.symbol.load.json(mlp_json()),
                              list(fc1_weight = mx.nd.array(W1), fc1_bias = mx.nd.array(b1),
                                   fc2_weight = mx.nd.array(W2), fc2_bias = mx.nd.array(b2)))
  X <- matrix(rnorm(4 * 6), 4, 6)
  Z <- t(W2) %*% pmax(t(W1) %*% X + b1, 0) + b2
  want <- exp(Z) / rep(colSums(exp(Z)), each = 3)
  expect_equal(predict(model, X), want, tolerance = 1e-5, ignore_attr = TRUE)
  base <- live_after_gc()
  for (i in 1:5) p <- predict(model, X[, 1:2])  # another batch size: compiled again
  expect_equal(dim(p), c(3L, 2L))
  rm(p)
  expect_equal(live_after_gc(), base)
  expect_equal(error_kind(mx.model.forward(model, list(data = mx.nd.array(matrix(1, 7, 2))))),
               "VALUE")
})

test_that("a saved model runs forward like the same layers called eagerly", {
  skip_if_not(model_abi_available(), "the core lacks the .params / CachedOp C ABI")
  set.seed(3)
  prefix <- file.path(tempdir(), "mlp")
  writeLines(mlp_json(), paste0(prefix, "-symbol.json"))
  W1 <- matrix(rnorm(20), 4, 5); b1 <- rnorm(5)   # features 4, hidden 5
  W2 <- matrix(rnorm(15), 5, 3); b2 <- rnorm(3)   # classes 3
  mx.nd.save(list("arg:fc1_weight" = mx.nd.array(W1), "arg:fc1_bias" = mx.nd.array(b1),
                  "arg:fc2_weight" = mx.nd.array(W2), "arg:fc2_bias" = mx.nd.array(b2)),
             paste0(prefix, "-0007.params"))
  model <- mx.model.load(prefix, 7)
  X <- matrix(rnorm(4 * 6), 4, 6)                 # batch 6
  prob <- predict(model, X)
  expect_equal(dim(prob), c(3L, 6L))
  H <- pmax(t(W1) %*% X + b1, 0)
  Z <- t(W2) %*% H + b2
  want <- exp(Z) / rep(colSums(exp(Z)), each = 3)
  expect_equal(prob, want, tolerance = 1e-5, ignore_attr = TRUE)
  again <- mx.model.forward(model, list(data = mx.nd.array(X)))
  expect_equal(as.array(again), prob)
})

test_that("a model trained and saved by Python predicts the same in R", {
  skip_if_not(model_abi_available(), "the core lacks the .params / CachedOp C ABI")
  prefix <- test_path("fixtures", "python_mlp")
  model <- mx.model.load(prefix, 5)
  io <- mx.nd.load(paste0(prefix, "-io.params"))
  prob <- mx.model.forward(model, io$data)
  expect_equal(dim(prob), dim(io$prob))
  expect_equal(as.array(prob), as.array(io$prob), tolerance = 1e-5)
  # The same through R data: dim c(features, batch), the batch last.
  expect_equal(predict(model, as.array(io$data)), as.array(io$prob), tolerance = 1e-5)
})

test_that("Python's saved parameters give Python's predictions through eager R ops", {
  skip_if_not(params_abi_available(), "the core lacks the .params C ABI (mxl_arrays_*)")
  prefix <- test_path("fixtures", "python_mlp")
  p <- mx.nd.load(paste0(prefix, "-0005.params"))
  io <- mx.nd.load(paste0(prefix, "-io.params"))
  expect_setequal(names(p), c("arg:fc1_weight", "arg:fc1_bias", "arg:fc2_weight", "arg:fc2_bias"))
  hid <- mx.nd.relu(mx.nd.FullyConnected(io$data, p[["arg:fc1_weight"]], p[["arg:fc1_bias"]],
                                         num_hidden = 8))
  out <- mx.nd.FullyConnected(hid, p[["arg:fc2_weight"]], p[["arg:fc2_bias"]], num_hidden = 3)
  expect_equal(as.array(mx.nd.softmax(out)), as.array(io$prob), tolerance = 1e-5)
})
