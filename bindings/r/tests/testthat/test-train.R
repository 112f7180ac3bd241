test_that("an MLP trained with sgd_mom_update lowers its loss", {
  set.seed(7)
  mx.set.seed(7)
  n <- 64; d <- 4; h <- 16; k <- 3
  # synthetic classes: the label is the argmax of a fixed linear map
  X <- matrix(rnorm(d * n), d, n)                  # R dim c(features, batch)
  label <- max.col(t(matrix(c(1, -1, 0.5, 2, 0, 1, -1, 1, 1, 0.5, -2, 0), k, d) %*% X)) - 1
  x <- mx.nd.array(X); y <- mx.nd.array(label)
  params <- list(w1 = mx.nd.array(matrix(rnorm(d * h, sd = 0.3), d, h)), b1 = mx.nd.zeros(h),
                 w2 = mx.nd.array(matrix(rnorm(h * k, sd = 0.3), h, k)), b2 = mx.nd.zeros(k))
  moms <- lapply(params, function(p) mx.nd.zeros(dim(p)))
  for (p in params) mx.nd.attach.grad(p)
  loss_of <- function() {
    hid <- mx.nd.relu(mx.nd.FullyConnected(x, params$w1, params$b1, num_hidden = h))
    out <- mx.nd.FullyConnected(hid, params$w2, params$b2, num_hidden = k)
    mx.nd.softmax.cross.entropy(out, y) / n  # the op sums over the batch, as MXNet
  }
  losses <- numeric(0)
  for (step in 1:60) {
    mx.autograd.record({
      loss <- loss_of()
    })
    mx.autograd.backward(loss)
    for (nm in names(params))
      mx.nd.sgd.mom.update(params[[nm]], mx.nd.grad(params[[nm]]), moms[[nm]], lr = 0.5,
                           momentum = 0.9, out = params[[nm]])
    losses <- c(losses, as.vector(loss))
  }
  expect_true(all(is.finite(losses)))
  expect_lt(mean(tail(losses, 5)), 0.5 * losses[1])
})
