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
