# The conformance runner: executes the shared JSON cases of
# tests/conformance/ (one format for every language; see docs/new-binding.md)
# through mx.nd.invoke and compares with the expected outputs or error kind.

.mx.case.numbers <- function(data) {
  if (length(data) == 0L) return(numeric(0))
  v <- unlist(lapply(data, function(d) {
    if (is.character(d)) switch(d, nan = NaN, inf = Inf, "-inf" = -Inf, as.numeric(d))
    else if (is.logical(d)) as.numeric(d)
    else d
  }))
  as.numeric(v)
}

.mx.case.array <- function(spec) {
  shape <- as.numeric(unlist(spec$shape))
  mx.nd.from.c.order(.mx.case.numbers(spec$data), shape, spec$dtype)
}

.mx.close <- function(got, want, rtol, atol, exact) {
  if (length(got) != length(want)) return(FALSE)
  if (length(got) == 0L) return(TRUE)
  nan_g <- is.nan(got); nan_w <- is.nan(want)
  if (any(nan_g != nan_w)) return(FALSE)
  ok <- !nan_w
  g <- got[ok]; w <- want[ok]
  if (exact) return(all(g == w))
  inf <- is.infinite(w)
  if (any(g[inf] != w[inf])) return(FALSE)
  all(abs(g[!inf] - w[!inf]) <= atol + rtol * abs(w[!inf]))
}

# NULL when the case passes, else a one-line reason.
.mx.run.case <- function(case) {
  inputs <- list()
  on.exit(for (a in inputs) mx.nd.dispose(a))
  res <- tryCatch({
    for (spec in case$inputs) inputs[[length(inputs) + 1L]] <- .mx.case.array(spec)
    attrs <- unlist(case$attrs)
    if (is.null(attrs)) attrs <- character(0)
    out <- mx.nd.invoke(case$op, inputs, attrs)
    if (inherits(out, "MXNDArray")) out <- list(out)
    vals <- lapply(out, function(o) list(shape = mx.nd.shape(o), dtype = mx.nd.dtype(o),
                                         data = as.numeric(mx.nd.c.order.values(o))))
    for (o in out) mx.nd.dispose(o)
    list(ok = TRUE, vals = vals)
  }, mxlite_error = function(e) list(ok = FALSE, kind = e$kind, message = conditionMessage(e)))
  if (!is.null(case$error)) {
    if (res$ok) return(paste0("expected a ", case$error, " error, got none"))
    if (res$kind != case$error)
      return(paste0("expected a ", case$error, " error, got ", res$kind, ": ", res$message))
    return(NULL)
  }
  if (!res$ok) return(paste0("unexpected ", res$kind, " error: ", res$message))
  want <- case$expected$outputs
  if (length(res$vals) != length(want))
    return(sprintf("%d outputs, expected %d", length(res$vals), length(want)))
  rtol <- if (is.null(case$expected$rtol)) 1e-5 else case$expected$rtol
  atol <- if (is.null(case$expected$atol)) 1e-6 else case$expected$atol
  for (i in seq_along(want)) {
    w <- want[[i]]; g <- res$vals[[i]]
    wshape <- as.numeric(unlist(w$shape))
    if (!identical(as.numeric(g$shape), wshape))
      return(sprintf("output %d: shape (%s), expected (%s)", i, paste(g$shape, collapse = ", "),
                     paste(wshape, collapse = ", ")))
    if (!is.null(w$dtype) && g$dtype != w$dtype)
      return(sprintf("output %d: dtype %s, expected %s", i, g$dtype, w$dtype))
    exact <- !(g$dtype %in% c("float16", "bfloat16", "float32", "float64"))
    if (!.mx.close(g$data, .mx.case.numbers(w$data), rtol, atol, exact))
      return(sprintf("output %d: values differ (max abs diff %g)", i,
                     suppressWarnings(max(abs(g$data - .mx.case.numbers(w$data)), na.rm = TRUE))))
  }
  NULL
}

#' Run conformance case files (tests/conformance/*.json).
#'
#' Every case runs through mx.nd.invoke; afterwards the core's live handles
#' must be back at their count before the run.
#' @param files paths of case files.
#' @param verbose print each failing case.
#' @return a list: passed, failed (counts), failures (named reasons) and
#'   leaked (live handles above the baseline).
#' @export
mx.conformance.run <- function(files, verbose = TRUE) {
  if (!requireNamespace("jsonlite", quietly = TRUE))
    .mx.raise("NOT_IMPLEMENTED", "the conformance runner needs the jsonlite package")
  gc()
  mx.nd.waitall()
  baseline <- mx.internal.live.handles()
  passed <- 0L
  failures <- character(0)
  for (f in files) {
    doc <- jsonlite::fromJSON(f, simplifyVector = FALSE)
    for (case in doc$cases) {
      reason <- .mx.run.case(case)
      if (is.null(reason)) {
        passed <- passed + 1L
      } else {
        failures[[paste0(basename(f), ": ", case$name)]] <- reason
        if (verbose) cat("FAIL", basename(f), case$name, "-", reason, "\n")
      }
    }
  }
  gc()
  mx.nd.waitall()
  leaked <- mx.internal.live.handles() - baseline
  list(passed = passed, failed = length(failures), failures = failures, leaked = leaked)
}
