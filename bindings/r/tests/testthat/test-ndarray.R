test_that("R arrays round trip with the same dims and values", {
  a <- array(seq_len(24) / 7, dim = c(2, 3, 4))
  x <- mx.nd.array(a, dtype = "float64")
  expect_equal(dim(x), c(2L, 3L, 4L))
  expect_equal(mx.nd.shape(x), c(4L, 3L, 2L))  # the core sees the reversed dims
  expect_equal(as.array(x), a)
  expect_equal(length(x), 24)
  expect_equal(mx.nd.size(x), 24)
  v <- mx.nd.array(c(1.5, -2, 3))
  expect_equal(dim(v), 3L)
  expect_equal(as.vector(v), c(1.5, -2, 3))
})

test_that("dtypes are created and read back", {
  for (dt in c("float32", "float64", "int32", "int64", "uint8", "int8")) {
    x <- mx.nd.array(matrix(c(1, 2, 3, 4, 5, 6), 2, 3), dtype = dt)
    expect_equal(mx.nd.dtype(x), dt)
    expect_equal(as.array(x), matrix(c(1, 2, 3, 4, 5, 6), 2, 3), ignore_attr = TRUE)
  }
  b <- mx.nd.array(c(TRUE, FALSE, TRUE), dtype = "bool")
  expect_equal(as.vector(b), c(TRUE, FALSE, TRUE))
  h <- mx.nd.array(c(0.5, 1.25, -3), dtype = "float16")
  expect_equal(mx.nd.dtype(h), "float16")
  expect_equal(as.vector(h), c(0.5, 1.25, -3))
  expect_equal(as.vector(mx.nd.array(c(1L, 2L, 3L))), c(1, 2, 3))
  expect_equal(mx.nd.dtype(mx.nd.array(c(1L, 2L))), "float32")
})

test_that("float32 rounding matches single precision", {
  x <- mx.nd.array(c(0.1, 1 / 3))
  expect_equal(as.vector(x), c(0.1, 1 / 3), tolerance = 1e-7)
  expect_false(identical(as.vector(x), c(0.1, 1 / 3)))
})

test_that("C-order helpers agree with the reversed-dims convention", {
  x <- mx.nd.from.c.order(1:6, c(2, 3))  # rows (1 2 3) and (4 5 6)
  expect_equal(dim(x), c(3L, 2L))
  expect_equal(as.array(x), matrix(1:6, 3, 2), ignore_attr = TRUE)
  expect_equal(mx.nd.c.order.values(x), c(1, 2, 3, 4, 5, 6))
  expect_equal(as.matrix(mx.nd.transpose(x)), t(matrix(1:6, 3, 2)), ignore_attr = TRUE)
})

test_that("bad data is refused with a clear error", {
  expect_equal(error_kind(mx.nd.array(c(1, 300), dtype = "uint8")), "VALUE")
  expect_equal(error_kind(mx.nd.array(c(1, NA), dtype = "int32")), "VALUE")
  expect_equal(error_kind(mx.nd.array("a")), "TYPE")
  expect_equal(error_kind(mx.nd.array(1, dtype = "complex")), "TYPE")
  expect_error(mx.nd.array(c(1, 300), dtype = "uint8"), "out of the range of uint8")
})

test_that("zeros, ones, reshape and row views", {
  z <- mx.nd.zeros(c(2, 3))
  expect_equal(as.array(z), matrix(0, 2, 3))
  o <- mx.nd.ones(c(4), dtype = "int32")
  expect_equal(as.vector(o), rep(1L, 4))
  x <- mx.nd.array(matrix(1:6, 2, 3))
  dim(x) <- c(3, 2)
  expect_equal(as.array(x), matrix(1:6, 3, 2))
  rows <- mx.nd.slice.rows(mx.nd.array(matrix(1:6, 2, 3)), 2, 3)
  expect_equal(as.array(rows), matrix(3:6, 2, 2))
})

test_that("print shows dtype, dims and values", {
  x <- mx.nd.array(matrix(1:4, 2, 2))
  out <- capture.output(print(x))
  expect_match(out[1], "MXNDArray float32, dim 2x2")
})

test_that("dispose frees now and later use is an INVALID_HANDLE error", {
  x <- mx.nd.array(1:3)
  mx.nd.dispose(x)
  expect_true(mx.nd.is.disposed(x))
  expect_equal(error_kind(as.array(x)), "INVALID_HANDLE")
  expect_equal(error_kind(x + 1), "INVALID_HANDLE")
  mx.nd.dispose(x)  # twice is fine
  expect_match(capture.output(print(x)), "disposed")
})

test_that("mx.nd.array copies an MXNDArray, optionally casting", {
  x <- mx.nd.array(c(1.5, 2.5))
  y <- mx.nd.array(x)
  mx.nd.internal.mul.scalar(x, scalar = 2, out = x)
  expect_equal(as.vector(y), c(1.5, 2.5))
  z <- mx.nd.array(y, dtype = "int32")
  expect_equal(mx.nd.dtype(z), "int32")
  expect_equal(as.vector(z), c(1L, 2L))
})

test_that("non-integer shapes, rows and seeds are VALUE errors", {
  x <- mx.nd.array(matrix(1:6, 2, 3))
  expect_equal(error_kind(dim(x) <- c(NA, 2)), "VALUE")
  expect_equal(error_kind(mx.nd.slice.rows(x, NA, 2)), "VALUE")
  expect_equal(error_kind(mx.nd.slice.rows(x, 2, 9)), "INDEX")
  expect_equal(error_kind(mx.set.seed(-1)), "VALUE")
  expect_equal(error_kind(mx.nd.array(1:4, dtype = NA)), "TYPE")
})
test_that("is.mx.ndarray is exported", expect_true(is.mx.ndarray(mx.nd.array(1))))
