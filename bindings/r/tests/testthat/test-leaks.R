test_that("handles return to the baseline after garbage collection", {
  base <- live_after_gc()
  local({
    for (i in 1:50) {
      x <- mx.nd.array(matrix(runif(6), 2, 3))
      y <- mx.nd.sum(x * 2 + 1, axis = 0)
      parts <- mx.nd.split(x, num_outputs = 3, axis = 0)
      mx.nd.attach.grad(x)
      z <- mx.autograd.record(mx.nd.sum(x * x))
      mx.autograd.backward(z)
      g <- mx.nd.grad(x)
      try(mx.nd.dot(x, x), silent = TRUE)  # failed calls leak nothing
    }
  })
  expect_equal(live_after_gc(), base)
})

test_that("explicit dispose releases at once", {
  base <- live_after_gc()
  x <- mx.nd.array(1:10)
  expect_equal(mx.internal.live.handles(), base + 1)
  mx.nd.dispose(x)
  expect_equal(mx.internal.live.handles(), base)
})
