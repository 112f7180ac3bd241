# Loading in a fresh R process: the library override and the version check.
run_r <- function(code, env = character(0)) {
  lib <- dirname(find.package("mxlite"))
  script <- tempfile(fileext = ".R")
  writeLines(c(sprintf('.libPaths(c("%s", .libPaths()))', lib), code), script)
  out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE,
                                  stderr = TRUE, env = env))
  list(status = attr(out, "status"), output = paste(out, collapse = "\n"))
}

test_that("MXLITE_LIBRARY selects the core at load, and a bad path is a clear error", {
  # the core this process loaded, named explicitly
  loaded <- Filter(function(p) grepl("libmxlite", p), readLines("/proc/self/maps"))
  path <- sub(".* (/.*libmxlite[^ ]*)$", "\\1", loaded[1])
  ok <- run_r('library(mxlite); cat(mx.version()[["major"]], "\\n")',
              env = paste0("MXLITE_LIBRARY=", path))
  expect_null(ok$status)
  expect_match(ok$output, "^0")
  bad <- run_r("library(mxlite)", env = "MXLITE_LIBRARY=/nonexistent/libmxlite.so")
  expect_equal(bad$status, 1L)
  expect_match(bad$output, "MXLITE_LIBRARY is set to '/nonexistent/libmxlite.so'")
})
