#include "operator/shape_helpers.h"

#include <algorithm>

#include "common/parallel.h"

namespace mxl {
namespace shape_ops {

int normalize_axis(int64_t axis, int ndim, const char* op, const char* arg) {
  if (axis < -ndim || axis >= ndim) {
    if (ndim == 0)
      throw_error(MXL_ERR_INDEX, "Operator ", op, ": argument '", arg, "' is ", axis,
                  " but the input is 0-dimensional and has no axes");
    throw_error(MXL_ERR_INDEX, "Operator ", op, ": argument '", arg, "' is ", axis,
                ", out of range for an input of ", ndim, " dimension", ndim == 1 ? "" : "s",
                " (expected ", -ndim, " <= ", arg, " < ", ndim, ")");
  }
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

int normalize_insert_axis(int64_t axis, int ndim, const char* op, const char* arg) {
  if (axis < -ndim - 1 || axis > ndim)
    throw_error(MXL_ERR_INDEX, "Operator ", op, ": argument '", arg, "' is ", axis,
                ", out of range for an output of ", ndim + 1, " dimension", ndim == 0 ? "" : "s",
                " (expected ", -ndim - 1, " <= ", arg, " <= ", ndim, ")");
  return static_cast<int>(axis < 0 ? axis + ndim + 1 : axis);
}

void infer_same_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].known()) (*out)[0] = (*in)[0];
  else (*in)[0] = (*out)[0];
}

void copy_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  parallel_memcpy(out[0].dptr, in[0].dptr, in[0].nbytes());
}

void contiguous_strides(const Shape& shape, int64_t* strides) {
  int64_t s = 1;
  for (int i = shape.ndim() - 1; i >= 0; --i) {
    strides[i] = s;
    s *= shape[i];
  }
}

namespace {

// One run of `len` elements; the branches give the compiler loops with
// compile-time strides it can vectorize.
template <typename T>
inline void copy_run(T* dst, int64_t ds, const T* src, int64_t ss, int64_t len) {
  if (ds == 1 && ss == 1) {
    std::memcpy(dst, src, len * sizeof(T));
  } else if (ds == 1 && ss == 0) {
    const T v = *src;
    for (int64_t j = 0; j < len; ++j) dst[j] = v;
  } else if (ds == 1 && ss == -1) {
    for (int64_t j = 0; j < len; ++j) dst[j] = src[-j];
  } else if (ds == 1) {
    for (int64_t j = 0; j < len; ++j) dst[j] = src[j * ss];
  } else if (ss == 1) {
    for (int64_t j = 0; j < len; ++j) dst[j * ds] = src[j];
  } else {
    for (int64_t j = 0; j < len; ++j) dst[j * ds] = src[j * ss];
  }
}

// Several runs shorter than kShortRun (repeat, tile of narrow arrays): one
// tight two-level loop over consecutive rows instead of a call per run.
// Len > 0 fixes the run length at compile time so the inner loop unrolls
// completely (worth it for the very common runs of 2 to 4).
template <int64_t Len, typename T>
inline void copy_rows_of(T* dst, int64_t drow, const T* src, int64_t srow, int64_t rows,
                         int64_t ds, int64_t ss, int64_t len) {
  if constexpr (Len > 0) len = Len;
  if (ds == 1 && ss == 0) {
    for (int64_t r = 0; r < rows; ++r) {
      const T v = src[r * srow];
      T* d = dst + r * drow;
      for (int64_t j = 0; j < len; ++j) d[j] = v;
    }
  } else if (ds == 1 && ss == 1) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < len; ++j) dst[r * drow + j] = src[r * srow + j];
  } else {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < len; ++j) dst[r * drow + j * ds] = src[r * srow + j * ss];
  }
}

template <typename T>
inline void copy_rows(T* dst, int64_t drow, const T* src, int64_t srow, int64_t rows,
                      int64_t ds, int64_t ss, int64_t len) {
  switch (len) {
    case 2: copy_rows_of<2>(dst, drow, src, srow, rows, ds, ss, len); break;
    case 3: copy_rows_of<3>(dst, drow, src, srow, rows, ds, ss, len); break;
    case 4: copy_rows_of<4>(dst, drow, src, srow, rows, ds, ss, len); break;
    default: copy_rows_of<0>(dst, drow, src, srow, rows, ds, ss, len);
  }
}

constexpr int64_t kShortRun = 16;

// Runs longer than this are split so a single huge row still uses every
// thread.
constexpr int64_t kMaxRunPerTask = 1 << 16;

// Position (index and both offsets) in the outer dimensions of a box, i.e.
// all but the innermost one.
struct Odometer {
  const StridedBox& box;
  int outer;
  int64_t idx[StridedBox::kCap];
  int64_t doff = 0, soff = 0;

  Odometer(const StridedBox& b, int64_t row) : box(b), outer(b.ndim - 1) {
    for (int k = outer - 1; k >= 0; --k) {
      idx[k] = row % box.ext[k];
      row /= box.ext[k];
      doff += idx[k] * box.dst_stride[k];
      soff += idx[k] * box.src_stride[k];
    }
  }
  // Steps dimension k forward by count (at most to its end), carrying into
  // the dimensions before it.
  void advance(int k, int64_t count) {
    idx[k] += count;
    doff += count * box.dst_stride[k];
    soff += count * box.src_stride[k];
    while (k >= 0 && idx[k] == box.ext[k]) {
      doff -= box.ext[k] * box.dst_stride[k];
      soff -= box.ext[k] * box.src_stride[k];
      idx[k] = 0;
      if (--k >= 0) {
        ++idx[k];
        doff += box.dst_stride[k];
        soff += box.src_stride[k];
      }
    }
  }
};

}  // namespace

StridedBox simplify_box(const int64_t* extents, const int64_t* dst_strides,
                        const int64_t* src_strides, int ndim) {
  StridedBox b;
  int n = 0;
  for (int k = 0; k < ndim; ++k) {
    if (extents[k] == 0) {
      b.empty = true;
      return b;
    }
    if (extents[k] == 1) continue;  // contributes no offset
    if (n > 0 && b.dst_stride[n - 1] == dst_strides[k] * extents[k] &&
        b.src_stride[n - 1] == src_strides[k] * extents[k]) {
      b.ext[n - 1] *= extents[k];
      b.dst_stride[n - 1] = dst_strides[k];
      b.src_stride[n - 1] = src_strides[k];
    } else {
      b.ext[n] = extents[k];
      b.dst_stride[n] = dst_strides[k];
      b.src_stride[n] = src_strides[k];
      ++n;
    }
  }
  b.ndim = n;
  return b;
}

void strided_copy(int elem_size, void* dst, const void* src, const StridedBox& box) {
  if (box.empty) return;
  const int n = box.ndim;
  if (n == 0) {
    std::memcpy(dst, src, elem_size);
    return;
  }
  const int64_t* ext = box.ext;
  const int64_t* ds = box.dst_stride;
  const int64_t* ss = box.src_stride;
  const int64_t len = ext[n - 1], dstep = ds[n - 1], sstep = ss[n - 1];
  const int outer = n - 1;
  int64_t rows = 1;
  for (int k = 0; k < outer; ++k) rows *= ext[k];

  with_elem_type(elem_size, [&](auto tag) {
    using T = decltype(tag);
    T* dbase = static_cast<T*>(dst);
    const T* sbase = static_cast<const T*>(src);
    if (len < kShortRun && outer > 0) {
      // Batches of consecutive rows along the last outer dimension.
      const int k = outer - 1;
      parallel_for(
          rows,
          [&](int64_t r0, int64_t r1) {
            Odometer od(box, r0);
            for (int64_t r = r0; r < r1;) {
              const int64_t count = std::min(ext[k] - od.idx[k], r1 - r);
              copy_rows(dbase + od.doff, ds[k], sbase + od.soff, ss[k], count, dstep, sstep, len);
              r += count;
              od.advance(k, count);
            }
          },
          len);
      return;
    }
    // Long runs, each possibly split into pieces: a task is one piece.
    const int64_t pieces = std::max<int64_t>(1, len / kMaxRunPerTask);
    parallel_for(
        rows * pieces,
        [&](int64_t t0, int64_t t1) {
          Odometer od(box, t0 / pieces);
          for (int64_t t = t0; t < t1; ++t) {
            const int64_t piece = t % pieces;
            const int64_t b = len * piece / pieces, e = len * (piece + 1) / pieces;
            copy_run(dbase + od.doff + b * dstep, dstep, sbase + od.soff + b * sstep, sstep, e - b);
            if (piece + 1 == pieces && outer > 0) od.advance(outer - 1, 1);
          }
        },
        len / pieces);
  });
}

void parallel_memcpy(void* dst, const void* src, int64_t bytes) {
  if (dst == src || bytes <= 0) return;
  constexpr int64_t kChunk = 1 << 16;
  const int64_t chunks = (bytes + kChunk - 1) / kChunk;
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  // A chunk costs about as much as kChunk / 16 simple element operations.
  parallel_for(
      chunks,
      [&](int64_t c0, int64_t c1) {
        const int64_t b = c0 * kChunk, e = std::min(bytes, c1 * kChunk);
        std::memcpy(d + b, s + b, e - b);
      },
      kChunk / 16);
}

void parallel_zero(void* dst, int64_t bytes) {
  if (bytes <= 0) return;
  constexpr int64_t kChunk = 1 << 16;
  const int64_t chunks = (bytes + kChunk - 1) / kChunk;
  char* d = static_cast<char*>(dst);
  parallel_for(
      chunks,
      [&](int64_t c0, int64_t c1) {
        const int64_t b = c0 * kChunk, e = std::min(bytes, c1 * kChunk);
        std::memset(d + b, 0, e - b);
      },
      kChunk / 32);
}

std::string tuple_str(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += v[i] == kNoneDim ? std::string("None") : std::to_string(v[i]);
  }
  if (v.size() == 1) s += ",";
  return s + ")";
}

AxisSlice resolve_axis_slice(int64_t n, int64_t begin, int64_t end, int64_t step) {
  // Negative positions count from the end; out-of-range positions clamp to
  // the nearest end (never an error, as in NumPy).
  const int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? n : n - 1;
  auto clamp = [&](int64_t v, int64_t if_none) {
    if (v == kNoneDim) return if_none;
    if (v < 0) return std::max(v + n, lower);
    return std::min(v, upper);
  };
  const int64_t b = clamp(begin, step > 0 ? lower : upper);
  const int64_t e = clamp(end, step > 0 ? upper : lower);
  int64_t len = 0;
  if (step > 0 && e > b) len = (e - b + step - 1) / step;
  if (step < 0 && b > e) len = (b - e - step - 1) / (-step);
  return AxisSlice{b, step, len};
}

void resolve_slice(const char* op, const Shape& shape, const std::vector<int64_t>& begin,
                   const std::vector<int64_t>& end, const std::vector<int64_t>& step,
                   AxisSlice* out) {
  const int ndim = shape.ndim();
  MXL_CHECK(begin.size() == end.size(), MXL_ERR_VALUE, "Operator ", op, ": arguments 'begin' (",
            begin.size(), " entries) and 'end' (", end.size(), " entries) must have the same length");
  MXL_CHECK(step.empty() || step.size() == begin.size(), MXL_ERR_VALUE, "Operator ", op,
            ": argument 'step' has ", step.size(), " entries; expected 0 or ", begin.size(),
            " (the length of 'begin')");
  MXL_CHECK(static_cast<int>(begin.size()) <= ndim, MXL_ERR_VALUE, "Operator ", op,
            ": argument 'begin' has ", begin.size(), " entries but the input ", shape.str(),
            " has only ", ndim, " dimension", ndim == 1 ? "" : "s");
  for (int k = 0; k < ndim; ++k) {
    const int64_t n = shape[k];
    if (k >= static_cast<int>(begin.size())) {
      out[k] = AxisSlice{0, 1, n};
      continue;
    }
    int64_t st = step.empty() || step[k] == kNoneDim ? 1 : step[k];
    MXL_CHECK(st != 0, MXL_ERR_VALUE, "Operator ", op, ": argument 'step' has a zero entry at axis ",
              k, "; steps must be nonzero");
    out[k] = resolve_axis_slice(n, begin[k], end[k], st);
  }
}

GradValue reshape_to(GradBuilder& b, GradValue g, const Shape& shape) {
  if (b.shape(g) == shape) return g;
  return b.op("Reshape", {g}, {{"shape", shape.str()}});
}

GradValue reshape_like(GradBuilder& b, GradValue g, GradValue like) {
  const Shape& target = b.shape(like);
  if (b.shape(g) == target) return g;
  if (target.numel() == 0) return b.op("zeros_like", {like});
  return reshape_to(b, g, target);
}

}  // namespace shape_ops
}  // namespace mxl
