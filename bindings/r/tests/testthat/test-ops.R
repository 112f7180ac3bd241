test_that("+ - * / with arrays and scalars match R", {
  a <- matrix(c(1, -2, 3, 4.5, 5, 6), 2, 3)
  b <- matrix(c(2, 3, -1, 0.5, 7, 2), 2, 3)
  x <- mx.nd.array(a); y <- mx.nd.array(b)
  expect_equal(as.array(x + y), a + b, tolerance = 1e-6)
  expect_equal(as.array(x - y), a - b, tolerance = 1e-6)
  expect_equal(as.array(x * y), a * b, tolerance = 1e-6)
  expect_equal(as.array(x / y), a / b, tolerance = 1e-6)
  expect_equal(as.array(x + 2), a + 2, tolerance = 1e-6)
  expect_equal(as.array(2 - x), 2 - a, tolerance = 1e-6)
  expect_equal(as.array(x - 2), a - 2, tolerance = 1e-6)
  expect_equal(as.array(3 / y), 3 / b, tolerance = 1e-6)
  expect_equal(as.array(y / 4), b / 4, tolerance = 1e-6)
  expect_equal(as.array(-x), -a, tolerance = 1e-6)
  expect_equal(as.array(y^2), b^2, tolerance = 1e-5)
  expect_equal(as.array(x > 2), (a > 2) * 1, ignore_attr = TRUE)
  expect_equal(as.array(2 > x), (2 > a) * 1, ignore_attr = TRUE)
  expect_equal(as.array(x + b), a + b, tolerance = 1e-6)  # R matrix operand converted
})

test_that("broadcasting works on the core's (reversed) shape", {
  a <- matrix(1:6, 2, 3)              # core (3, 2)
  row <- mx.nd.array(matrix(c(10, 20), 2, 1))  # core (1, 2): one value per R row
  expect_equal(as.array(mx.nd.array(a) + row), a + c(10, 20), ignore_attr = TRUE)
  expect_equal(as.array(mx.nd.broadcast.add(mx.nd.array(a), row)), a + c(10, 20),
               ignore_attr = TRUE)
})

test_that("dot and FullyConnected agree with %*% on non-symmetric matrices", {
  A <- matrix(c(1, 2, -1, 0.5, 3, 4), 3, 2)      # 3 x 2
  B <- matrix(c(2, 0, 1, -1, 3, 1, 0.5, 2), 2, 4)  # 2 x 4
  # R's A %*% B is the core's B' . A' (dims reversed: (4, 2) . (2, 3) = (4, 3)).
  d <- mx.nd.dot(mx.nd.array(B), mx.nd.array(A))
  expect_equal(dim(d), c(3L, 4L))
  expect_equal(as.array(d), A %*% B, tolerance = 1e-6)
  # The core sees A as t(A) (2 x 3): dot(t(A), t(A), transpose_b) = t(A) %*% A.
  d2 <- mx.nd.dot(mx.nd.array(A), mx.nd.array(A), transpose_b = TRUE)
  expect_equal(as.array(d2), t(A) %*% A, tolerance = 1e-6)
  # FullyConnected: data R dim c(in, batch), weight R dim c(in, hidden):
  # out (R dim c(hidden, batch)) = t(W) %*% X + b.
  X <- matrix(c(1, 2, 3, -1, 0, 2, 4, 1, -2, 0.5, 1, 1), 3, 4)  # in = 3, batch = 4
  W <- matrix(c(0.5, -1, 2, 1, 0, -0.5), 3, 2)                # hidden = 2
  bias <- c(0.25, -1)
  fc <- mx.nd.FullyConnected(mx.nd.array(X), mx.nd.array(W), mx.nd.array(bias), num_hidden = 2)
  expect_equal(dim(fc), c(2L, 4L))
  expect_equal(as.array(fc), t(W) %*% X + bias, tolerance = 1e-6)
})

test_that("Convolution matches naive loops", {
  set.seed(1)
  # core NCHW (1, 2, 4, 5) is R dim c(5, 4, 2, 1), element [w, h, c, n]
  x <- array(rnorm(40), c(5, 4, 2, 1))
  w <- array(rnorm(3 * 2 * 2 * 3), c(3, 2, 2, 3))  # core (3 filters, 2 ch, kh 2, kw 3)
  b <- c(0.1, -0.2, 0.3)
  out <- mx.nd.Convolution(mx.nd.array(x), mx.nd.array(w), mx.nd.array(b), kernel = c(2, 3),
                           num_filter = 3)
  expect_equal(mx.nd.shape(out), c(1L, 3L, 3L, 3L))
  got <- as.array(out)
  want <- array(0, c(3, 3, 3, 1))
  for (f in 1:3) for (i in 1:3) for (j in 1:3) {
    s <- b[f]
    for (ch in 1:2) for (ki in 1:2) for (kj in 1:3)
      s <- s + x[j + kj - 1, i + ki - 1, ch, 1] * w[kj, ki, ch, f]
    want[j, i, f, 1] <- s
  }
  expect_equal(got, want, tolerance = 1e-5)
})

test_that("parameters of every type are formatted for the core", {
  a <- matrix(c(1, 2, 3, 4, 5, 6), 2, 3)  # core (3, 2)
  x <- mx.nd.array(a)
  expect_equal(as.vector(mx.nd.sum(x, axis = 0)), rowSums(a))           # int
  expect_equal(as.vector(mx.nd.sum(x, axis = 1, keepdims = TRUE)), colSums(a))  # bool
  expect_equal(dim(mx.nd.Reshape(x, shape = c(2, 3))), c(3L, 2L))        # shape
  expect_equal(mx.nd.dtype(mx.nd.Cast(x, dtype = "float64")), "float64") # dtype
  expect_equal(as.array(mx.nd.Activation(x - 3, act_type = "relu")), pmax(a - 3, 0),
               ignore_attr = TRUE)                                        # enum
  expect_equal(as.array(mx.nd.clip(x, a_min = 1.5, a_max = 4.5)), pmin(pmax(a, 1.5), 4.5),
               ignore_attr = TRUE)                                        # float
  expect_equal(as.array(mx.nd.internal.plus.scalar(x, scalar = 0.5)), a + 0.5,
               ignore_attr = TRUE)                                        # hidden op
  expect_equal(as.vector(mx.nd.sum(x, axis = c(0, 1))), sum(a))          # tuple via ...
})

test_that("variadic ops take a list, several outputs come back as a list", {
  a <- mx.nd.array(matrix(1:4, 2, 2)); b <- mx.nd.array(matrix(5:8, 2, 2))
  cc <- mx.nd.Concat(list(a, b), dim = 0)
  expect_equal(as.array(cc), cbind(matrix(1:4, 2, 2), matrix(5:8, 2, 2)), ignore_attr = TRUE)
  s <- mx.nd.add.n(list(a, b, a))
  expect_equal(as.array(s), 2 * matrix(1:4, 2, 2) + matrix(5:8, 2, 2), ignore_attr = TRUE)
  parts <- mx.nd.split(cc, num_outputs = 2, axis = 0)
  expect_length(parts, 2)
  expect_equal(as.array(parts[[2]]), matrix(5:8, 2, 2), ignore_attr = TRUE)
  expect_identical(mx.nd.concat, mx.nd.Concat)  # aliases are the same function
})

test_that("out= writes into an existing array", {
  x <- mx.nd.array(c(1, 2, 3))
  o <- mx.nd.zeros(3)
  r <- mx.nd.internal.mul.scalar(x, scalar = 2, out = o)
  expect_identical(r, o)
  expect_equal(as.vector(o), c(2, 4, 6))
})

test_that("mx.nd.invoke runs any op by name with text attributes", {
  x <- mx.nd.array(matrix(1:6, 2, 3))
  y <- mx.nd.invoke("sum", list(x), c(axis = "1"))
  expect_equal(as.vector(y), colSums(matrix(1:6, 2, 3)))
})
