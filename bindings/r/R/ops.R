# Arithmetic and comparison operators on MXNDArrays (the S3 Ops group).
#
# Array with array goes to the broadcast_* ops (the core's broadcasting on
# core shapes, i.e. on reversed R dims); array with a number goes to the
# scalar ops (_plus_scalar, _rminus_scalar, ...).  An R vector or array
# operand of length > 1 is first converted with mx.nd.array.  The common
# cases are decided in C (mxr_arith) with the generated op specs
# (.mxop_*, R/ops_*.R); .onLoad builds the table below.

.mx.ops.names <- list(
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

# generic -> list of the three op specs (filled by .onLoad).
.mx.ops.table <- new.env(parent = emptyenv())

.mx.build.ops.table <- function(ns) {
  for (g in names(.mx.ops.names))
    assign(g, lapply(.mx.ops.names[[g]], function(op) get(paste0(".mxop_", op), envir = ns)),
           envir = .mx.ops.table)
}

Ops.MXNDArray <- function(e1, e2) {
  if (missing(e2)) {  # unary
    return(switch(.Generic,
      "+" = e1,
      "-" = .Call(C_mxr_invoke, .mxop_negative, list(e1), list(), list(), NULL),
      "!" = .Call(C_mxr_invoke, .mxop_logical_not, list(e1), list(), list(), NULL),
      .mx.raise("NOT_IMPLEMENTED", paste0("unary ", .Generic, " is not defined for MXNDArray"))))
  }
  specs <- .mx.ops.table[[.Generic]]
  if (is.null(specs))
    .mx.raise("NOT_IMPLEMENTED", paste0("operator ", .Generic, " is not defined for MXNDArray"))
  res <- .Call(C_mxr_arith, specs, e1, e2)
  if (!is.null(res)) return(res)
  # R data of length > 1 becomes an array of the other operand's dtype.
  a1 <- inherits(e1, "MXNDArray")
  other <- if (a1) e2 else e1
  if (!is.numeric(other) && !is.logical(other))
    .mx.raise("TYPE", paste0("operator ", .Generic, ": the other operand must be a number or ",
                             "an MXNDArray, got ", class(other)[1]))
  if (a1) e2 <- mx.nd.array(e2, mx.nd.dtype(e1)) else e1 <- mx.nd.array(e1, mx.nd.dtype(e2))
  .Call(C_mxr_arith, specs, e1, e2)
}
