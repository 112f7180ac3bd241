# MXNDArray: creation from R data, conversion back, shape and dtype.
#
# Order convention (MXNet's R package): R arrays are column-major, the core is
# row-major (C order).  An R array of dim c(d1, ..., dn) becomes an array of
# core shape (dn, ..., d1) holding the same memory, so no element moves:
# dim(x) is the reversed core shape.  A matrix with one row per example
# (dim c(batch, features)) is the core's (features, batch); MXNet R models take
# dim c(features, batch) matrices, i.e. the core's (batch, features).  Op
# attributes (axis, shape, kernel, ...) are given in the core's order.

.mx.dtype.codes <- c(float32 = 73730L, float64 = 81922L, float16 = 69634L, bfloat16 = 69636L,
                     uint8 = 67585L, int8 = 67584L, int32 = 73728L, int64 = 81920L,
                     bool = 67590L)

.mx.dtype.code <- function(dtype) {
  code <- if (is.character(dtype) && length(dtype) == 1L) .mx.dtype.codes[dtype] else NA
  if (is.na(code))
    .mx.raise("TYPE", paste0("unknown dtype '", paste(dtype, collapse = ", "), "'; known: ",
                             paste(names(.mx.dtype.codes), collapse = ", ")))
  code
}

.mx.dtype.name <- function(code) {
  name <- names(.mx.dtype.codes)[match(code, .mx.dtype.codes)]
  if (is.na(name)) paste0("dtype", code) else name
}

#' Create an MXNDArray from an R vector, matrix or array.
#'
#' The array keeps R's memory as it is: \code{dim(x)} of the result equals
#' \code{dim(src.array)} (or its length for a vector) and the core sees the
#' reversed shape (see the package README on order).
#' @param src.array numeric, integer or logical vector, matrix or array (or an
#'   MXNDArray, which is copied).
#' @param dtype "float32" (default), "float64", "float16", "bfloat16", "int8",
#'   "uint8", "int32", "int64" or "bool".
#' @return an MXNDArray.
#' @export
mx.nd.array <- function(src.array, dtype = "float32") {
  if (inherits(src.array, "MXNDArray")) {
    out <- mx.nd.internal.copy(src.array)
    if (!identical(mx.nd.dtype(out), dtype)) out <- mx.nd.Cast(out, dtype = dtype)
    return(out)
  }
  d <- dim(src.array)
  if (is.null(d)) d <- length(src.array)
  code <- .mx.dtype.code(dtype)
  if (dtype %in% c("float16", "bfloat16")) {
    tmp <- .Call(C_mxr_array_create, src.array, rev(d), .mx.dtype.codes[["float32"]])
    return(mx.nd.Cast(tmp, dtype = dtype))
  }
  .Call(C_mxr_array_create, src.array, rev(d), code)
}

#' An MXNDArray from flat data in C order and a core (C-order) shape, as the
#' conformance files and other languages write arrays.
#' @param data values in C order (row-major).
#' @param shape the core shape.
#' @param dtype as for \code{mx.nd.array}.
#' @export
mx.nd.from.c.order <- function(data, shape, dtype = "float32") {
  if (dtype %in% c("float16", "bfloat16")) {
    tmp <- .Call(C_mxr_array_create, data, shape, .mx.dtype.codes[["float32"]])
    return(mx.nd.Cast(tmp, dtype = dtype))
  }
  .Call(C_mxr_array_create, data, shape, .mx.dtype.code(dtype))
}

#' The elements of an MXNDArray in C order (row-major), as a plain vector.
#' @param x an MXNDArray.
#' @export
mx.nd.c.order.values <- function(x) .Call(C_mxr_array_to_r, x)

#' Arrays of zeros / ones with R dims (the core shape is reversed), made by
#' the core's _zeros / _ones ops.
#' @param dim the R dims, as \code{dim()} would report them.
#' @param dtype element type.
#' @export
mx.nd.zeros <- function(dim, dtype = "float32") {
  .mx.dtype.code(dtype)  # a clear error for unknown names
  mx.nd.internal.zeros(shape = rev(dim), dtype = dtype)
}

#' @rdname mx.nd.zeros
#' @export
mx.nd.ones <- function(dim, dtype = "float32") {
  .mx.dtype.code(dtype)
  mx.nd.internal.ones(shape = rev(dim), dtype = dtype)
}

#' Core (C-order) shape of an MXNDArray; \code{dim()} is its reverse.
#' @param x an MXNDArray.
#' @export
mx.nd.shape <- function(x) .Call(C_mxr_array_shape, x)

#' Element type name ("float32", ...) of an MXNDArray.
#' @param x an MXNDArray.
#' @export
mx.nd.dtype <- function(x) .mx.dtype.name(.Call(C_mxr_array_dtype, x))

#' Number of elements of an MXNDArray.
#' @param x an MXNDArray.
#' @export
mx.nd.size <- function(x) .Call(C_mxr_array_size, x)

#' Is x an MXNDArray?
#' @param x any object.
#' @export
is.mx.ndarray <- function(x) inherits(x, "MXNDArray")

#' Block until the array's pending writes finished (errors of asynchronous
#' ops surface here).
#' @param x an MXNDArray.
#' @export
mx.nd.wait <- function(x) invisible(.Call(C_mxr_array_wait, x))

#' Block until every pending op finished.
#' @export
mx.nd.waitall <- function() invisible(.Call(C_mxr_wait_all))

#' Free the array's native memory now rather than at garbage collection.
#' Later use of x raises an INVALID_HANDLE error; disposing twice is allowed.
#' @param x an MXNDArray.
#' @export
mx.nd.dispose <- function(x) invisible(.Call(C_mxr_array_dispose, x))

#' TRUE if the array was disposed.
#' @param x an MXNDArray.
#' @export
mx.nd.is.disposed <- function(x) .Call(C_mxr_array_is_disposed, x)

#' Rows \code{begin..end} (1-based, inclusive) of the last R dim (the core's
#' first axis), as a view sharing memory.
#' @param x an MXNDArray.
#' @param begin,end 1-based indices.
#' @export
mx.nd.slice.rows <- function(x, begin, end) .Call(C_mxr_array_slice_view, x, begin - 1, end)

#' Seed the core's random generator.
#' @param seed a non-negative integer.
#' @export
mx.set.seed <- function(seed) invisible(.Call(C_mxr_random_seed, seed))

#' Native handles alive in the core, not counting the op handles this package
#' caches for the whole session (leak checks compare it with a baseline).
#' @export
mx.internal.live.handles <- function() {
  v <- .Call(C_mxr_live_handles)
  v[1] - v[2]
}

#' Run an op by registry name with inputs and attributes in MXNet's text form.
#' @param op the op's registry name or alias ("broadcast_add").
#' @param inputs a list of MXNDArrays.
#' @param attrs a named list or character vector of attribute strings.
#' @param out optional MXNDArray(s) to write into.
#' @return an MXNDArray, or a list for several outputs.
#' @export
mx.nd.invoke <- function(op, inputs = list(), attrs = character(0), out = NULL) {
  if (inherits(inputs, "MXNDArray")) inputs <- list(inputs)
  keys <- names(attrs)
  if (is.null(keys)) keys <- character(0)
  .Call(C_mxr_invoke_raw, op, inputs, as.character(keys), as.character(unlist(attrs)), out)
}

dim.MXNDArray <- function(x) rev(.Call(C_mxr_array_shape, x))

`dim<-.MXNDArray` <- function(x, value) .Call(C_mxr_array_reshape_view, x, rev(value))

length.MXNDArray <- function(x) .Call(C_mxr_array_size, x)

as.array.MXNDArray <- function(x, ...) {
  v <- .Call(C_mxr_array_to_r, x)
  shp <- .Call(C_mxr_array_shape, x)
  if (length(shp) > 0L) dim(v) <- rev(shp)
  v
}

as.matrix.MXNDArray <- function(x, ...) {
  d <- dim(x)
  if (length(d) != 2L)
    .mx.raise("VALUE", sprintf("as.matrix: the array has %d dims, not 2", length(d)))
  as.array.MXNDArray(x)
}

as.vector.MXNDArray <- function(x, mode = "any") as.vector(.Call(C_mxr_array_to_r, x), mode)

as.double.MXNDArray <- function(x, ...) as.double(.Call(C_mxr_array_to_r, x))

print.MXNDArray <- function(x, ...) {
  if (.Call(C_mxr_array_is_disposed, x)) {
    cat("<MXNDArray (disposed)>\n")
    return(invisible(x))
  }
  cat(sprintf("<MXNDArray %s, dim %s>\n", mx.nd.dtype(x), paste(dim(x), collapse = "x")))
  print(as.array.MXNDArray(x), ...)
  invisible(x)
}
