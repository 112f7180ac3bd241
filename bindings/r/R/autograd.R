# Autograd: record a block, attach gradient buffers, backward, read grads.

#' Run a block of code while recording operations for autograd.
#'
#' \code{mx.autograd.record({ y <- f(x) })} evaluates the block in the
#' caller's environment with recording (and training mode, unless
#' \code{train.mode = FALSE}) switched on, and restores the previous state
#' afterwards, also when the block fails.
#' @param expr the block to evaluate.
#' @param train.mode training mode for the block (Dropout, BatchNorm).
#' @return the value of the block.
#' @export
mx.autograd.record <- function(expr, train.mode = TRUE) {
  prev <- .Call(C_mxr_autograd_set, TRUE, train.mode)
  on.exit(.Call(C_mxr_autograd_set, prev[1], prev[2]))
  expr
}

#' Run a block with recording switched off (inside \code{mx.autograd.record}).
#' @param expr the block to evaluate.
#' @param train.mode training mode for the block.
#' @export
mx.autograd.pause <- function(expr, train.mode = FALSE) {
  prev <- .Call(C_mxr_autograd_set, FALSE, train.mode)
  on.exit(.Call(C_mxr_autograd_set, prev[1], prev[2]))
  expr
}

#' Is autograd recording / in training mode on this thread?
#' @export
mx.autograd.is.recording <- function() .Call(C_mxr_autograd_state)[1]

#' @rdname mx.autograd.is.recording
#' @export
mx.autograd.is.training <- function() .Call(C_mxr_autograd_state)[2]

.mx.grad.reqs <- c(null = 0L, write = 1L, add = 3L)

#' Attach a gradient buffer (zeros) to an array, making it an autograd
#' variable whose gradient \code{mx.nd.grad} reads after backward.
#' @param x an MXNDArray (or a list of them).
#' @param grad.req "write" (overwrite), "add" (accumulate) or "null".
#' @return x, invisibly.
#' @export
mx.nd.attach.grad <- function(x, grad.req = "write") {
  xs <- if (inherits(x, "MXNDArray")) list(x) else x
  req <- .mx.grad.reqs[grad.req]
  if (length(grad.req) != 1L || is.na(req))
    .mx.raise("VALUE", paste0("grad.req must be 'write', 'add' or 'null', got '",
                              paste(grad.req, collapse = ", "), "'"))
  grads <- lapply(xs, function(v) mx.nd.zeros.like(v))
  .Call(C_mxr_autograd_mark, xs, rep(req, length(xs)), grads)
  invisible(x)
}

#' The gradient buffer of a variable (NULL when it has none).
#' @param x an MXNDArray with an attached gradient.
#' @export
mx.nd.grad <- function(x) .Call(C_mxr_array_grad, x)

#' A new array on x's memory with no autograd history.
#' @param x an MXNDArray.
#' @export
mx.nd.detach <- function(x) .Call(C_mxr_array_detach, x)

.mx.list.of.arrays <- function(x) if (inherits(x, "MXNDArray")) list(x) else as.list(x)

.mx.head.grads <- function(head.grads, n) {
  if (is.null(head.grads)) return(vector("list", n))
  .mx.list.of.arrays(head.grads)
}

#' Backward from heads into the variables' gradient buffers.
#' @param heads an MXNDArray or a list of them, computed while recording.
#' @param head.grads gradients of the heads (NULL: ones).
#' @param retain.graph keep the graph for another backward.
#' @param train.mode training mode for the backward ops.
#' @export
mx.autograd.backward <- function(heads, head.grads = NULL, retain.graph = FALSE,
                                 train.mode = TRUE) {
  heads <- .mx.list.of.arrays(heads)
  invisible(.Call(C_mxr_autograd_backward, heads, .mx.head.grads(head.grads, length(heads)),
                  retain.graph, train.mode))
}

#' Gradients of heads with respect to variables, returned as a list.
#' @param heads an MXNDArray or a list of them.
#' @param variables an MXNDArray or a list of them.
#' @param head.grads gradients of the heads (NULL: ones).
#' @param retain.graph keep the graph (default: create.graph).
#' @param create.graph record the backward pass (for higher-order gradients).
#' @param train.mode training mode for the backward ops.
#' @export
mx.autograd.grad <- function(heads, variables, head.grads = NULL, retain.graph = NULL,
                             create.graph = FALSE, train.mode = TRUE) {
  heads <- .mx.list.of.arrays(heads)
  if (is.null(retain.graph)) retain.graph <- create.graph
  .Call(C_mxr_autograd_grad, heads, .mx.head.grads(head.grads, length(heads)),
        .mx.list.of.arrays(variables), retain.graph, create.graph, train.mode)
}
