# Shared by the test files: error kind of an expression, naive oracles.
error_kind <- function(expr) {
  tryCatch({ force(expr); "none" }, mxlite_error = function(e) e$kind)
}

live_after_gc <- function() {
  gc(); gc()
  mx.nd.waitall()
  mx.internal.live.handles()
}
