test_that("record + backward fill the attached gradient", {
  a <- matrix(c(1, -2, 3, 0.5, 2, -1), 2, 3)
  x <- mx.nd.array(a)
  mx.nd.attach.grad(x)
  mx.autograd.record({
    y <- x * x + 3 * x
  })
  mx.autograd.backward(y)
  expect_equal(as.array(mx.nd.grad(x)), 2 * a + 3, tolerance = 1e-6)
})

test_that("head gradients scale the backward pass", {
  x <- mx.nd.array(c(1, 2, 3))
  mx.nd.attach.grad(x)
  y <- mx.autograd.record(mx.nd.exp(x))
  mx.autograd.backward(y, head.grads = mx.nd.array(c(1, 0.5, -2)))
  expect_equal(as.vector(mx.nd.grad(x)), exp(1:3) * c(1, 0.5, -2), tolerance = 1e-5)
})

test_that("grad.req add accumulates; a gradient matches finite differences", {
  x <- mx.nd.array(c(0.3, -0.7))
  mx.nd.attach.grad(x, grad.req = "add")
  for (i in 1:2) {
    y <- mx.autograd.record(mx.nd.sum(mx.nd.tanh(x)))
    mx.autograd.backward(y)
  }
  v <- c(0.3, -0.7)
  expect_equal(as.vector(mx.nd.grad(x)), 2 * (1 - tanh(v)^2), tolerance = 1e-5)
  f <- function(v) sum(tanh(v))
  h <- 1e-4
  fd <- sapply(1:2, function(i) { e <- replace(numeric(2), i, h); (f(v + e) - f(v - e)) / (2 * h) })
  expect_equal(as.vector(mx.nd.grad(x)) / 2, fd, tolerance = 1e-4)
})

test_that("recording state is scoped and restored after errors", {
  expect_false(mx.autograd.is.recording())
  inside <- mx.autograd.record(c(mx.autograd.is.recording(), mx.autograd.is.training()))
  expect_equal(inside, c(TRUE, TRUE))
  expect_equal(mx.autograd.record(mx.autograd.is.training(), train.mode = FALSE), FALSE)
  expect_error(mx.autograd.record(stop("boom")), "boom")
  expect_false(mx.autograd.is.recording())
  expect_false(mx.autograd.record(mx.autograd.pause(mx.autograd.is.recording())))
})

test_that("autograd.grad returns gradients; detach cuts history", {
  x <- mx.nd.array(c(1, 2))
  mx.nd.attach.grad(x)
  mx.autograd.record({
    y <- x * x * x
  })
  g <- mx.autograd.grad(y, x)
  expect_equal(as.vector(g[[1]]), 3 * c(1, 2)^2, tolerance = 1e-6)
  d <- mx.nd.detach(y)
  expect_equal(as.vector(d), c(1, 8))
  expect_equal(error_kind(mx.autograd.backward(mx.nd.array(1))), "VALUE")  # untracked head
  expect_equal(error_kind(mx.nd.attach.grad(x, grad.req = "sometimes")), "VALUE")
})

test_that("FullyConnected gradients match the closed form", {
  X <- matrix(c(1, 2, 3, -1, 0, 2), 3, 2)   # in 3, batch 2
  W <- matrix(c(0.5, -1, 2, 1, 0, -0.5), 3, 2)  # hidden 2
  x <- mx.nd.array(X); w <- mx.nd.array(W)
  mx.nd.attach.grad(w)
  mx.autograd.record({
    out <- mx.nd.FullyConnected(x, w, num_hidden = 2, no_bias = TRUE)
    loss <- mx.nd.sum(out * out)
  })
  mx.autograd.backward(loss)
  O <- t(W) %*% X                                  # hidden x batch
  expect_equal(as.array(mx.nd.grad(w)), X %*% t(2 * O), tolerance = 1e-5)
})
