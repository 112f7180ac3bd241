# Per-call overhead of the R binding: N calls of a tiny op (_plus_scalar on a
# 1-element array) through the generated function, median over several runs.
# Prints one machine-readable line:  overhead_us r <median microseconds per call>
#   Rscript bench/bindings/r_overhead.R [R library dir, default build/rlib] [N] [runs]
args <- commandArgs(trailingOnly = TRUE)
lib <- if (length(args) >= 1L) args[[1]] else "build/rlib"
n <- if (length(args) >= 2L) as.integer(args[[2]]) else 20000L
runs <- if (length(args) >= 3L) as.integer(args[[3]]) else 7L
if (dir.exists(lib)) .libPaths(c(normalizePath(lib), .libPaths()))
suppressPackageStartupMessages(library(mxlite))

x <- mx.nd.array(1)
per_call <- function(f) {
  f(); mx.nd.waitall()  # warm up: op handle cached, byte code compiled
  times <- numeric(runs)
  for (r in seq_len(runs)) {
    t0 <- proc.time()[["elapsed"]]
    for (i in seq_len(n)) y <- f()
    mx.nd.wait(y)
    times[r] <- (proc.time()[["elapsed"]] - t0) / n * 1e6
  }
  median(times)
}
generated <- per_call(function() mx.nd.internal.plus.scalar(x, scalar = 1))
operator <- per_call(function() x + 1)
cat(sprintf("# x + 1 (Ops group generic): %.2f us per call\n", operator))
cat(sprintf("overhead_us r %.2f\n", generated))
