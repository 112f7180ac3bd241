# Arithmetic and comparison operators on MXNDArrays (the S3 Ops group).
#
# Array with array goes to the broadcast_* ops (the core's broadcasting on
# core shapes, i.e. on reversed R dims); array with a number goes to the
# scalar ops (_plus_scalar, _rminus_scalar, ...).  An R vector or array
# operand of length > 1 is first converted with mx.nd.array.

.mx.binary <- list(
  "+" = c("broadcast_add", "_plus_scalar", "_plus_scalar"),
  "-" = c("broadcast_sub", "_minus_scalar", "_rminus_scalar"),
  "*" = c("broadcast_mul", "_mul_scalar", "_mul_scalar"),
  "/" = c("broadcast_div", "_div_scalar", "_rdiv_scalar"),
  "^" = c("broadcast_power", "_power_scalar", "_rpower_scalar"),
  "%%" = c("broadcast_mod", "_mod_scalar", "_rmod_scalar"),
  "==" = c("broadcast_equal", "_equal_scalar", "_equal_scalar"),
  "!=" = c("broadcast_not_equal", "_not_equal_scalar", "_not_equal_scalar"),
  ">" = c("broadcast_greater", "_greater_scalar", "_lesser_scalar"),
  ">=" = c("broadcast_greater_equal", "_greater_equal_scalar", "_lesser_equal_scalar"),
  "<" = c("broadcast_lesser", "_lesser_scalar", "_greater_scalar"),
  "<=" = c("broadcast_lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar")
)

Ops.MXNDArray <- function(e1, e2) {
  if (missing(e2)) {  # unary
    switch(.Generic,
           "+" = return(e1),
           "-" = return(.Call(C_mxr_invoke_raw, "negative", list(e1), character(0),
                              character(0), NULL)),
           "!" = return(.Call(C_mxr_invoke_raw, "logical_not", list(e1), character(0),
                              character(0), NULL)),
           .mx.raise("NOT_IMPLEMENTED", paste0("unary ", .Generic, " is not defined for MXNDArray")))
  }
  ops <- .mx.binary[[.Generic]]
  if (is.null(ops))
    .mx.raise("NOT_IMPLEMENTED", paste0("operator ", .Generic, " is not defined for MXNDArray"))
  a1 <- inherits(e1, "MXNDArray")
  a2 <- inherits(e2, "MXNDArray")
  if (a1 && !a2 && length(e2) != 1L) { e2 <- mx.nd.array(e2, mx.nd.dtype(e1)); a2 <- TRUE }
  if (a2 && !a1 && length(e1) != 1L) { e1 <- mx.nd.array(e1, mx.nd.dtype(e2)); a1 <- TRUE }
  if (a1 && a2)
    return(.Call(C_mxr_invoke_raw, ops[[1]], list(e1, e2), character(0), character(0), NULL))
  if (a1) {
    x <- e1; s <- e2; op <- ops[[2]]
  } else {
    x <- e2; s <- e1; op <- ops[[3]]
  }
  if (!is.numeric(s) && !is.logical(s))
    .mx.raise("TYPE", paste0("operator ", .Generic, ": the other operand must be a number or an ",
                             "MXNDArray, got ", class(s)[1]))
  .Call(C_mxr_invoke_raw, op, list(x), "scalar", .mx.format.float(as.double(s)), NULL)
}

.mx.format.float <- function(v) {
  if (is.na(v)) return("nan")
  if (is.infinite(v)) return(if (v > 0) "inf" else "-inf")
  s <- formatC(v, digits = 15, format = "g")
  if (as.double(s) != v) s <- formatC(v, digits = 17, format = "g")
  s
}
