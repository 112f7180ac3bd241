# Models saved by any mxlite or MXNet language: <prefix>-symbol.json plus
# <prefix>-<epoch>.params ("arg:name" / "aux:name" arrays), run through the
# core's CachedOp.

#' Save arrays in MXNet's .params / mx.nd.save format.
#' @param ndarray an MXNDArray, or a list of them (named: a dict file).
#' @param filename the file to write.
#' @export
mx.nd.save <- function(ndarray, filename) {
  arrays <- if (inherits(ndarray, "MXNDArray")) list(ndarray) else as.list(ndarray)
  invisible(.Call(C_mxr_arrays_save, filename, unname(arrays), names(ndarray)))
}

#' Load arrays saved by mx.nd.save in any language (or MXNet).
#' @param filename the file to read.
#' @return a list of MXNDArrays, named for a dict file (NULL for "none"
#'   entries).
#' @export
mx.nd.load <- function(filename) .Call(C_mxr_arrays_load, filename)

#' Load a model checkpoint: \code{prefix-symbol.json} and
#' \code{prefix-EPOCH.params} (epoch formatted with 4 digits, as MXNet does).
#' @param prefix the path prefix.
#' @param iteration the epoch number.
#' @return an \code{MXFeedForwardModel}: list(symbol, arg.params, aux.params).
#' @export
mx.model.load <- function(prefix, iteration) {
  symbol <- mx.symbol.load(paste0(prefix, "-symbol.json"))
  params <- mx.nd.load(sprintf("%s-%04d.params", prefix, as.integer(iteration)))
  nms <- names(params)
  if (is.null(nms)) .mx.raise("VALUE", "mx.model.load: the .params file has no names")
  is_arg <- startsWith(nms, "arg:")
  is_aux <- startsWith(nms, "aux:")
  .mx.model(symbol, stats::setNames(params[is_arg], substring(nms[is_arg], 5L)),
            stats::setNames(params[is_aux], substring(nms[is_aux], 5L)))
}

# An MXFeedForwardModel from a symbol and named lists of parameters; the
# environment caches the compiled CachedOp.
.mx.model <- function(symbol, arg.params, aux.params = list()) {
  structure(list(symbol = symbol, arg.params = arg.params, aux.params = aux.params,
                 cache = new.env(parent = emptyenv())), class = "MXFeedForwardModel")
}

#' Run a model's forward pass (inference).
#'
#' Inputs are taken from \code{data} (a named list of MXNDArrays, or one
#' MXNDArray for the symbol's first input that is not a parameter), then from
#' the model's parameters; inputs still missing (e.g. a \code{softmax_label})
#' get zeros of the inferred shape.
#' @param model an MXFeedForwardModel from mx.model.load.
#' @param data an MXNDArray or a named list of them.
#' @return the output MXNDArray, or a list for several outputs.
#' @export
mx.model.forward <- function(model, data) {
  inputs <- .mx.symbol.names(model$symbol, "inputs")
  params <- c(model$arg.params, model$aux.params)
  if (inherits(data, "MXNDArray")) {
    free <- setdiff(inputs, names(params))
    if (!length(free)) .mx.raise("VALUE", "mx.model.forward: the model has no data input")
    data <- stats::setNames(list(data), free[1])
  }
  known <- c(data, params[setdiff(names(params), names(data))])
  missing_in <- setdiff(inputs, names(known))
  if (length(missing_in)) {
    inferred <- jsonlite::fromJSON(.Call(C_mxr_symbol_infer_shape, model$symbol,
                                         names(known), lapply(known, mx.nd.shape)),
                                   simplifyVector = FALSE)
    args <- .mx.symbol.names(model$symbol, "arguments")
    for (nm in missing_in) {
      shp <- inferred$arguments[[match(nm, args)]]
      if (is.null(shp) || is.na(match(nm, args)))
        .mx.raise("VALUE", paste0("mx.model.forward: no value for input '", nm, "' and its ",
                                  "shape cannot be inferred"))
      known[[nm]] <- mx.nd.from.c.order(rep(0, prod(unlist(shp))), unlist(shp))
    }
  }
  if (is.null(model$cache$op))
    model$cache$op <- .Call(C_mxr_cached_op_create, model$symbol, character(0))
  outs <- .Call(C_mxr_cached_op_invoke, model$cache$op, unname(known[inputs]))
  if (length(outs) == 1L) outs[[1]] else outs
}

#' Predict with a loaded model on R data (an array with the batch as the
#' last R dim, as MXNet's R package); returns an R array.
#' @param object an MXFeedForwardModel.
#' @param X an R array or MXNDArray.
#' @param ... unused.
#' @export
predict.MXFeedForwardModel <- function(object, X, ...) {
  if (!inherits(X, "MXNDArray")) X <- mx.nd.array(X)
  out <- mx.model.forward(object, X)
  if (inherits(out, "MXNDArray")) as.array(out) else lapply(out, as.array)
}

#' TRUE if the loaded core has the named C ABI function (newer sections such
#' as "mxl_arrays_load" or "mxl_cached_op_create" are looked up at run time).
#' @param name a C ABI function name.
#' @export
mx.core.has <- function(name) .Call(C_mxr_core_has, name)

#' A model from a symbol and named lists of parameters (for
#' mx.model.forward / predict).
#' @param symbol an MXSymbol.
#' @param arg.params named list of MXNDArrays (argument values).
#' @param aux.params named list of MXNDArrays (auxiliary states).
#' @export
mx.model.from.symbol <- function(symbol, arg.params, aux.params = list()) {
  mx.symbol.arguments(symbol)  # checks the handle
  .mx.model(symbol, arg.params, aux.params)
}
