test_that("core errors are mxlite_error conditions with the core's message and kind", {
  x <- mx.nd.array(matrix(1:6, 2, 3))
  e <- tryCatch(mx.nd.dot(x, x), error = function(e) e)
  expect_s3_class(e, "mxlite_error")
  expect_s3_class(e, "error")
  expect_equal(class(e), c("mxlite_error", "error", "condition"))
  expect_equal(e$kind, "VALUE")
  expect_match(conditionMessage(e), "Operator dot")
  expect_equal(mx.error.kind(e), "VALUE")
  expect_equal(deparse(conditionCall(e)), "mx.nd.dot(x, x)")
})

test_that("each kind of bad input is an error, never a crash", {
  x <- mx.nd.array(matrix(1:6, 2, 3))
  expect_equal(error_kind(x + mx.nd.array(1:4)), "VALUE")                  # shape mismatch
  expect_equal(error_kind(mx.nd.sum(x, axis = 5)), "INDEX")                # axis
  expect_equal(error_kind(mx.nd.sum(x, bogus = 1)), "KEY")                 # unknown param
  expect_equal(error_kind(mx.nd.Activation(x, act_type = "nope")), "VALUE") # bad enum
  expect_equal(error_kind(mx.nd.sum(x, axis = 1.5)), "TYPE")               # not an integer
  expect_equal(error_kind(mx.nd.sum(matrix(1:4, 2))), "TYPE")              # not an MXNDArray
  expect_equal(error_kind(mx.nd.invoke("no_such_op", list(x))), "KEY")
  expect_equal(error_kind(mx.nd.negative(x, 3)), "VALUE")                  # unnamed extra
  expect_error(mx.nd.Convolution(x, kernel = c(3, 3)), "num_filter")       # R: missing arg
  expect_equal(error_kind(mx.nd.Cast(x, dtype = "float99")), "VALUE")
  expect_equal(error_kind(x + "a"), "TYPE")
})

test_that("the error names the op and the argument", {
  x <- mx.nd.array(1:3)
  e <- tryCatch(mx.nd.broadcast.add(x, 5), error = function(e) e)
  expect_equal(e$kind, "TYPE")
  expect_match(conditionMessage(e), "Operator broadcast_add: argument 'rhs' must be an MXNDArray")
})

test_that("a handle of the wrong kind is a TYPE error", {
  s <- mx.symbol.load.json(mlp_json())
  expect_equal(error_kind(mx.nd.relu(s)), "TYPE")
  expect_equal(error_kind(mx.symbol.arguments(mx.nd.array(1))), "TYPE")
})

test_that("a kernel error surfaces at the next sync point, then the engine goes on", {
  data <- mx.nd.from.c.order(1:4, c(2, 2))
  y <- mx.nd.take(data, mx.nd.array(c(0, 5)), mode = "raise")  # index 5 fails in the kernel
  z <- y + 1
  e <- tryCatch(as.array(z), error = function(e) e)
  expect_s3_class(e, "mxlite_error")
  expect_match(conditionMessage(e), "take")
  expect_equal(error_kind(mx.nd.wait(y)), e$kind)
  mx.nd.take(data, mx.nd.array(7), mode = "raise")
  expect_s3_class(tryCatch(mx.nd.waitall(), error = function(e) e), "mxlite_error")
  mx.nd.waitall()  # reported once, then cleared
  expect_equal(as.vector(mx.nd.ones(2) * 3), c(3, 3))
})
