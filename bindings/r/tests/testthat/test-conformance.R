test_that("the conformance runner passes the sample cases and checks handles", {
  r <- mx.conformance.run(test_path("conformance_sample.json"), verbose = FALSE)
  expect_equal(r$failed, 0L)
  expect_equal(r$passed, 8L)
  expect_equal(r$leaked, 0)
})

test_that("the conformance runner reports wrong results", {
  bad <- tempfile(fileext = ".json")
  writeLines(paste0('{"format": 1, "cases": [{"name": "wrong", "op": "negative", "inputs": ',
                    '[{"shape": [1], "dtype": "float32", "data": [1]}], "attrs": {}, ',
                    '"expected": {"outputs": [{"shape": [1], "dtype": "float32", "data": [1]}]}},',
                    '{"name": "no-error", "op": "negative", "inputs": ',
                    '[{"shape": [1], "dtype": "float32", "data": [1]}], "attrs": {}, ',
                    '"error": "VALUE"}]}'), bad)
  r <- mx.conformance.run(bad, verbose = FALSE)
  expect_equal(r$failed, 2L)
  expect_match(r$failures[[1]], "values differ")
  expect_match(r$failures[[2]], "expected a VALUE error")
})
