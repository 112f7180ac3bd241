# MXSymbol: symbol JSON loaded into the core (names, JSON out).  Running a
# model is in R/predict.R.

.mx.symbol.kinds <- c(arguments = 0L, outputs = 1L, auxiliary.states = 2L, inputs = 3L)

#' Read a symbol from JSON text or a file (MXNet 1.x symbol JSON).
#' @param json the JSON text.
#' @export
mx.symbol.load.json <- function(json) .Call(C_mxr_symbol_load_json, json)

#' @rdname mx.symbol.load.json
#' @param file.name path of a -symbol.json file.
#' @export
mx.symbol.load <- function(file.name) {
  if (!file.exists(file.name))
    .mx.raise("VALUE", paste0("mx.symbol.load: cannot open '", file.name, "'"))
  mx.symbol.load.json(paste(readLines(file.name, warn = FALSE), collapse = "\n"))
}

#' The symbol as MXNet 1.9 symbol JSON text.
#' @param symbol an MXSymbol.
#' @export
mx.symbol.to.json <- function(symbol) .Call(C_mxr_symbol_to_json, symbol)

.mx.symbol.names <- function(symbol, which) {
  json <- .Call(C_mxr_symbol_list, symbol, .mx.symbol.kinds[[which]])
  # A JSON list of strings; names never contain quotes (the core rejects them
  # in JSON it writes, as MXNet does), so a split is enough and needs no
  # JSON package.
  inner <- gsub("^\\s*\\[|\\]\\s*$", "", json)
  if (!nzchar(trimws(inner))) return(character(0))
  parts <- strsplit(inner, "\"\\s*,\\s*\"")[[1]]
  gsub("^\\s*\"|\"\\s*$", "", parts)
}

#' Argument, output, auxiliary-state and input names of a symbol.
#' @param symbol an MXSymbol.
#' @export
mx.symbol.arguments <- function(symbol) .mx.symbol.names(symbol, "arguments")

#' @rdname mx.symbol.arguments
#' @export
mx.symbol.outputs <- function(symbol) .mx.symbol.names(symbol, "outputs")

#' @rdname mx.symbol.arguments
#' @export
mx.symbol.auxiliary.states <- function(symbol) .mx.symbol.names(symbol, "auxiliary.states")

#' Free the symbol's native handle now (otherwise at garbage collection).
#' @param symbol an MXSymbol.
#' @export
mx.symbol.dispose <- function(symbol) invisible(.Call(C_mxr_symbol_dispose, symbol))

print.MXSymbol <- function(x, ...) {
  cat("<MXSymbol outputs:", paste(mx.symbol.outputs(x), collapse = ", "), ">\n")
  invisible(x)
}

#' A symbolic variable (a graph input), as MXNet's mx.symbol.Variable.
#' @param name the variable's name.
#' @export
mx.symbol.Variable <- function(name) .Call(C_mxr_symbol_variable, name)

#' The outputs of several symbols as one symbol.
#' @param ... MXSymbols (or one list of them).
#' @export
mx.symbol.Group <- function(...) {
  syms <- list(...)
  if (length(syms) == 1L && is.list(syms[[1]]) && !inherits(syms[[1]], "MXSymbol"))
    syms <- syms[[1]]
  .Call(C_mxr_symbol_group, syms)
}

#' Write a symbol as MXNet symbol JSON.
#' @param symbol an MXSymbol.
#' @param filename the file to write.
#' @export
mx.symbol.save <- function(symbol, filename) {
  writeLines(mx.symbol.to.json(symbol), filename)
  invisible(filename)
}

#' Infer the shapes of a symbol's arguments, outputs and auxiliary states
#' from known input shapes, all in R dims (the reverse of the core's shapes,
#' as dim() of an MXNDArray reports them).
#' @param symbol an MXSymbol.
#' @param ... known shapes by input name, e.g. \code{data = c(784, 32)}.
#' @return list(arg.shapes, out.shapes, aux.shapes, complete), each a named
#'   list of R dims (NULL where unknown).
#' @export
mx.symbol.infer.shape <- function(symbol, ...) {
  known <- list(...)
  if (length(known) && (is.null(names(known)) || any(!nzchar(names(known)))))
    .mx.raise("VALUE", "mx.symbol.infer.shape: shapes must be named by input")
  res <- jsonlite::fromJSON(.Call(C_mxr_symbol_infer_shape, symbol, as.character(names(known)),
                                  lapply(known, function(d) rev(as.numeric(d)))),
                            simplifyVector = FALSE)
  r_dims <- function(shapes, nms) {
    stats::setNames(lapply(shapes, function(s) if (is.null(s)) NULL else rev(as.integer(unlist(s)))),
                    nms)
  }
  list(arg.shapes = r_dims(res$arguments, mx.symbol.arguments(symbol)),
       out.shapes = r_dims(res$outputs, mx.symbol.outputs(symbol)),
       aux.shapes = r_dims(res$auxiliary_states, mx.symbol.auxiliary.states(symbol)),
       complete = isTRUE(res$complete))
}
