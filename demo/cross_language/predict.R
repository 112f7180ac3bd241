# Load the model Python exported (model-symbol.json + model-0000.params) with
# the R binding's public API and print its predictions for inputs.json as one
# JSON line: {"shape": [n, classes], "data": [...]} row-major, like Python's.
# Usage: Rscript predict.R OUT_DIR [RLIB]   (RLIB: where the package is installed)
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript predict.R OUT_DIR [RLIB]")
out_dir <- args[1]
if (length(args) >= 2) .libPaths(c(args[2], .libPaths()))
suppressPackageStartupMessages(library(mxlite))

model <- mx.model.load(file.path(out_dir, "model"), 0)
inputs <- jsonlite::fromJSON(file.path(out_dir, "inputs.json"))
n <- inputs$shape[1]; features <- inputs$shape[2]
# R arrays are column-major with the batch as the last dim: the row-major
# (n, features) data read column by column is exactly c(features, n).
X <- matrix(inputs$data, nrow = features, ncol = n)
prob <- predict(model, X)  # c(classes, n)
cat(jsonlite::toJSON(list(shape = c(n, nrow(prob)), data = as.vector(prob)),
                     digits = NA, auto_unbox = FALSE), "\n", sep = "")
