# Runs the testthat suite and the conformance cases; prints each summary and
# exits non-zero on any failure.
#   Rscript bindings/r/tests/run_all.R <R library dir> [conformance dir]
args <- commandArgs(trailingOnly = TRUE)
lib <- if (length(args) >= 1L) args[[1]] else .libPaths()[1]
.libPaths(c(normalizePath(lib), .libPaths()))
suppressPackageStartupMessages({
  library(testthat)
  library(mxlite)
})
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                        value = TRUE)[1])))
res <- as.data.frame(testthat::test_dir(file.path(here, "testthat"), reporter = "silent",
                                        stop_on_failure = FALSE, package = "mxlite",
                                        load_package = "none"))
failed_rows <- res[res$failed > 0 | res$error, ]
for (i in seq_len(nrow(failed_rows)))
  cat("FAILED:", failed_rows$file[i], "-", failed_rows$test[i], "\n")
t_pass <- sum(res$passed)
t_fail <- sum(res$failed) + sum(res$error)
cat(sprintf("testthat: %d passed, %d failed\n", t_pass, t_fail))

conf_dir <- if (length(args) >= 2L) args[[2]] else file.path(here, "..", "..", "..", "tests",
                                                               "conformance")
files <- sort(Sys.glob(file.path(conf_dir, "*.json")))
c_pass <- 0L; c_fail <- 0L
if (length(files)) {
  r <- mx.conformance.run(files)
  c_pass <- r$passed
  c_fail <- r$failed + (r$leaked != 0)
  cat(sprintf("conformance: %d passed, %d failed (%d files; live handles %+d after the suite)\n",
              r$passed, r$failed, length(files), r$leaked))
} else {
  cat("conformance: no case files in", conf_dir, "\n")
}
cat(sprintf("%d passed, %d failed\n", t_pass + c_pass, t_fail + c_fail))
quit(status = if (t_fail + c_fail > 0) 1L else 0L)
