# Arithmetic and comparison operators on MXNDArrays (the S3 Ops group).
#
# Array with array goes to the broadcast_* ops (the core's broadcasting on
# core shapes, i.e. on reversed R dims); array with a number goes to the
# scalar ops (_plus_scalar, _rminus_scalar, ...).  An R vector or array
# operand of length > 1 is first converted with mx.nd.array.  The calls use
# the generated op specs (.mxop_*, R/ops_*.R) directly: the scalar is
# formatted in C like any float parameter.

.mx.arith <- function(e1, e2, generic, both, left, right) {
  a1 <- inherits(e1, "MXNDArray")
  a2 <- inherits(e2, "MXNDArray")
  if (a1 && !a2 && length(e2) != 1L) { e2 <- mx.nd.array(e2, mx.nd.dtype(e1)); a2 <- TRUE }
  if (a2 && !a1 && length(e1) != 1L) { e1 <- mx.nd.array(e1, mx.nd.dtype(e2)); a1 <- TRUE }
  if (a1 && a2) return(.Call(C_mxr_invoke, both, list(e1, e2), list(), list(), NULL))
  if (a1) {
    x <- e1; s <- e2; spec <- left
  } else {
    x <- e2; s <- e1; spec <- right
  }
  if (!is.numeric(s) && !is.logical(s))
    .mx.raise("TYPE", paste0("operator ", generic, ": the other operand must be a number or an ",
                             "MXNDArray, got ", class(s)[1]))
  .Call(C_mxr_invoke, spec, list(x), list(as.double(s)), list(), NULL)
}

Ops.MXNDArray <- function(e1, e2) {
  if (missing(e2)) {  # unary
    return(switch(.Generic,
      "+" = e1,
      "-" = .Call(C_mxr_invoke, .mxop_negative, list(e1), list(), list(), NULL),
      "!" = .Call(C_mxr_invoke, .mxop_logical_not, list(e1), list(), list(), NULL),
      .mx.raise("NOT_IMPLEMENTED", paste0("unary ", .Generic, " is not defined for MXNDArray"))))
  }
  g <- .Generic
  switch(g,
    "+" = .mx.arith(e1, e2, g, .mxop_broadcast_add, .mxop__plus_scalar, .mxop__plus_scalar),
    "-" = .mx.arith(e1, e2, g, .mxop_broadcast_sub, .mxop__minus_scalar, .mxop__rminus_scalar),
    "*" = .mx.arith(e1, e2, g, .mxop_broadcast_mul, .mxop__mul_scalar, .mxop__mul_scalar),
    "/" = .mx.arith(e1, e2, g, .mxop_broadcast_div, .mxop__div_scalar, .mxop__rdiv_scalar),
    "^" = .mx.arith(e1, e2, g, .mxop_broadcast_power, .mxop__power_scalar,
                    .mxop__rpower_scalar),
    "%%" = .mx.arith(e1, e2, g, .mxop_broadcast_mod, .mxop__mod_scalar, .mxop__rmod_scalar),
    "==" = .mx.arith(e1, e2, g, .mxop_broadcast_equal, .mxop__equal_scalar,
                     .mxop__equal_scalar),
    "!=" = .mx.arith(e1, e2, g, .mxop_broadcast_not_equal, .mxop__not_equal_scalar,
                     .mxop__not_equal_scalar),
    ">" = .mx.arith(e1, e2, g, .mxop_broadcast_greater, .mxop__greater_scalar,
                    .mxop__lesser_scalar),
    ">=" = .mx.arith(e1, e2, g, .mxop_broadcast_greater_equal, .mxop__greater_equal_scalar,
                     .mxop__lesser_equal_scalar),
    "<" = .mx.arith(e1, e2, g, .mxop_broadcast_lesser, .mxop__lesser_scalar,
                    .mxop__greater_scalar),
    "<=" = .mx.arith(e1, e2, g, .mxop_broadcast_lesser_equal, .mxop__lesser_equal_scalar,
                     .mxop__greater_equal_scalar),
    .mx.raise("NOT_IMPLEMENTED", paste0("operator ", g, " is not defined for MXNDArray")))
}
