# R CMD check entry point.  tools/run_tests.sh uses run_all.R instead, which
# prints the plain "N passed, N failed" line CI reads.
library(testthat)
library(mxlite)
test_check("mxlite")
