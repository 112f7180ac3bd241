# Errors from the core become R conditions of class
# c("mxlite_error", "error", "condition") with the core's message and its
# kind ("VALUE", "TYPE", "INDEX", "OUT_OF_MEMORY", "NOT_IMPLEMENTED", "KEY",
# "RUNTIME", "INVALID_HANDLE").  The C glue calls .mx.raise after releasing
# what it holds, so the longjmp of stop() crosses C frames only.

.mx.raise <- function(kind, message) {
  n <- sys.nframe()
  call <- if (n >= 2L) sys.call(n - 1L) else NULL
  stop(structure(class = c("mxlite_error", "error", "condition"),
                 list(message = message, call = call, kind = kind)))
}

#' The kind of an mxlite error condition ("VALUE", "TYPE", ...), or NA for
#' other conditions.
#' @param cond a condition caught with tryCatch.
#' @export
mx.error.kind <- function(cond) {
  if (inherits(cond, "mxlite_error")) cond$kind else NA_character_
}
