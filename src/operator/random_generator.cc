#include "operator/random_generator.h"

namespace mxl {
namespace {

// A fixed default seed makes a fresh process reproducible without a call to
// mx.random.seed, as MXNet's was.
constexpr uint64_t kDefaultSeed = 0x6d786c697465ull;  // "mxlite"

}  // namespace

std::mt19937_64& global_rng() {
  static std::mt19937_64 rng(kDefaultSeed);
  return rng;
}

engine::Var* global_rng_var() {
  static engine::Var* var = engine::get()->new_var();
  return var;
}

void seed_global_rng(uint64_t seed) {
  // Pushed as a writer of the generator's Var, so it is ordered after random
  // ops already pushed and before later ones, with no wait here.  An op that
  // only writes a Var runs even if an earlier random op failed.
  engine::Var* var = global_rng_var();
  engine::get()->push([seed]() { global_rng().seed(seed); }, nullptr, 0, &var, 1,
                      "random_seed");
}

}  // namespace mxl
