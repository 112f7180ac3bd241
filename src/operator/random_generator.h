// The process-wide random generator behind every random op, and the
// counter-based streams kernels draw from.
//
// Reproducibility: the global std::mt19937_64 is touched only by random ops
// (and reseeding), all of which write global_rng_var(), so the engine runs
// them in push order.  Each random op takes exactly one 64-bit key from the
// global generator and draws its elements from a splitmix64 stream keyed by
// it.  Draw i of a stream is a pure function of (key, i), so any slice of an
// array can be generated on any thread: results do not depend on the number
// of threads, and big arrays are sampled in parallel.
//
// Both mt19937_64 (seeding and output are fixed by the C++ standard) and our
// own transforms are portable, so a seed reproduces the same arrays with any
// standard library.
#pragma once
#include <cstdint>
#include <random>

#include "engine/engine.h"

namespace mxl {

// The generator random kernels receive as OpContext::rng.  Only use it from
// a kernel of an op declared with set_needs_rng().
std::mt19937_64& global_rng();
// Reseeds the global generator after the random ops already pushed have
// taken their keys, and before any pushed later.
void seed_global_rng(uint64_t seed);
// The engine variable random ops write, which orders them.  Created on first
// use and never freed.
engine::Var* global_rng_var();

namespace random {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;  // splitmix64's increment

// splitmix64's output function: a bijective avalanche mix of 64 bits.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Draw i (0-based) of the stream keyed by `key`: the (i+1)-th output of a
// splitmix64 generator whose state starts at `key`.
inline uint64_t stream_draw(uint64_t key, uint64_t i) { return mix64(key + (i + 1) * kGolden); }

// Uniform on [0, 1) from the top 53 bits: every value is exact in a double.
inline double unit_double(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

}  // namespace random
}  // namespace mxl
