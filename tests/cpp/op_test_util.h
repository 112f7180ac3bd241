// Helpers shared by the operator tests.
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"

namespace mxl {
namespace testing_util {

// Expects `fn` to throw mxl::Error of `kind` whose message contains `needle`.
template <typename F>
void expect_error(F fn, int kind, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "expected an error mentioning '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace testing_util
}  // namespace mxl
