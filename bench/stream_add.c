/* STREAM-style "add" reference: c[i] = a[i] + b[i] over 16M floats with
 * OpenMP, the same threads as mxlite's kernels.  Prints the median GB/s
 * (bytes read + written) of 15 runs, then the best (STREAM's own convention);
 * the median is what mxlite's medians are compared with.  The arrays
 * use transparent huge pages, as mxlite's pool does for large blocks, so the
 * figure is the machine's bandwidth rather than its TLB-miss rate. */
#define _GNU_SOURCE
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static float* alloc_huge(size_t n) {
  size_t bytes = (n * sizeof(float) + (2u << 20) - 1) / (2u << 20) * (2u << 20);
  float* p = aligned_alloc(2u << 20, bytes);
  if (p) madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

#define N (16 * 1024 * 1024)

int main(void) {
  float* a = alloc_huge(N);
  float* b = alloc_huge(N);
  float* c = alloc_huge(N);
  if (!a || !b || !c) return 1;
#pragma omp parallel for schedule(static)
  for (long i = 0; i < N; ++i) { a[i] = 1.0f; b[i] = 2.0f; c[i] = 0.0f; }
  enum { kReps = 15 };
  double gbs[kReps];
  for (int rep = 0; rep < kReps; ++rep) {
    double t0 = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < N; ++i) c[i] = a[i] + b[i];
    double t = omp_get_wtime() - t0;
    gbs[rep] = 3.0 * sizeof(float) * N / t / 1e9;
  }
  for (int i = 1; i < kReps; ++i)  /* insertion sort: 15 values */
    for (int j = i; j > 0 && gbs[j - 1] > gbs[j]; --j) {
      double tmp = gbs[j]; gbs[j] = gbs[j - 1]; gbs[j - 1] = tmp;
    }
  printf("%.2f %.2f GB/s median, best (check %.1f)\n", gbs[kReps / 2], gbs[kReps - 1],
         (double)c[N - 1]);
  free(a); free(b); free(c);
  return 0;
}
