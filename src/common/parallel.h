// Intra-op parallelism.  OpenMP's fork/join costs around a microsecond, more
// than a tiny op itself, so loops only go parallel above a work threshold.
#pragma once
#include <cstdint>

#include <omp.h>

namespace mxl {

// Elements below which a simple element-wise loop stays on one thread.
constexpr int64_t kParallelGrain = 32768;

// fn(begin, end) over [0, n) split into contiguous ranges, one per thread.
// `cost` scales the threshold for heavier per-element work (e.g. exp: 8).
template <typename F>
inline void parallel_for(int64_t n, F&& fn, int64_t cost = 1) {
  int nthreads = omp_get_max_threads();
  if (n * cost < kParallelGrain || nthreads <= 1 || omp_in_parallel()) {
    fn(int64_t(0), n);
    return;
  }
#pragma omp parallel num_threads(nthreads)
  {
    int t = omp_get_thread_num(), nt = omp_get_num_threads();
    int64_t chunk = (n + nt - 1) / nt;
    int64_t b = t * chunk, e = b + chunk < n ? b + chunk : n;
    if (b < e) fn(b, e);
  }
}

}  // namespace mxl
