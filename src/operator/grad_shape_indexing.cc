// Backward kernels of the indexing ops (indexing.cc):
//
//   _backward_take        take's gradient: the output gradient scatter-added
//                         into an array of the data's shape
//   _backward_gather_nd   gather_nd's gradient, the same for index tuples
//                         (MXNet's op of that name: duplicates add up)
//   _backward_scatter_set_nd
//                         the gradient of _scatter_set_nd's value input: the
//                         output gradient at the addressed rows, zero for a
//                         row whose assignment a later repeated index
//                         overwrote (the last write wins in the forward)
//
// Each is linear in its gradient input, so each has a gradient in turn
// (take, gather_nd, _scatter_set_nd), which makes second-order gradients
// through the indexing ops work.
#include <algorithm>
#include <numeric>
#include <type_traits>

#include "autograd/gradient.h"
#include "operator/indexing_util.h"
#include "operator/registry.h"

namespace mxl {
namespace {

using namespace index_ops;

// The sources y in [0, count) ordered by destination row, ties by y (so sums
// run in index order and are deterministic).  A counting sort when the
// destinations are dense enough to pay for its per-row table, else a sort.
std::vector<int64_t> order_by_destination(const int64_t* dest, int64_t count, int64_t rows) {
  std::vector<int64_t> order(count);
  if (count >= rows / 8) {
    std::vector<int64_t> start(rows + 1, 0);
    for (int64_t y = 0; y < count; ++y) ++start[dest[y] + 1];
    for (int64_t r = 0; r < rows; ++r) start[r + 1] += start[r];
    for (int64_t y = 0; y < count; ++y) order[start[dest[y]]++] = y;
  } else {
    std::iota(order.begin(), order.end(), int64_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return dest[a] < dest[b]; });
  }
  return order;
}

// out (rows x inner): row r is the sum of the source rows y with dest[y] == r,
// zero when there are none.  The output is zeroed at memset speed, then the
// sources, grouped by destination, are summed one group per thread: no
// atomics, and repeated indices add up deterministically.  float16 sums in
// float.
template <typename T>
void scatter_add_rows(T* out, int64_t rows, int64_t inner, const T* src, const int64_t* dest,
                      int64_t count) {
  if (rows == 0 || inner == 0) return;
  parallel_zero(out, rows * inner * static_cast<int64_t>(sizeof(T)));
  if (count == 0) return;
  const std::vector<int64_t> order = order_by_destination(dest, count, rows);
  std::vector<int64_t> groups;  // start of each run of one destination in `order`
  for (int64_t i = 0; i < count; ++i)
    if (i == 0 || dest[order[i]] != dest[order[i - 1]]) groups.push_back(i);
  groups.push_back(count);
  const int64_t ngroups = static_cast<int64_t>(groups.size()) - 1;
  using Acc = typename AccType<T>::type;
  constexpr bool kWiden = !std::is_same_v<Acc, T>;
  parallel_for(
      ngroups,
      [&](int64_t g0, int64_t g1) {
        std::vector<Acc> acc(kWiden ? inner : 0);
        for (int64_t g = g0; g < g1; ++g) {
          const int64_t b = groups[g], e = groups[g + 1];
          T* o = out + dest[order[b]] * inner;
          if constexpr (kWiden) {
            std::fill(acc.begin(), acc.end(), Acc(0));
            for (int64_t q = b; q < e; ++q) {
              const T* s = src + order[q] * inner;
              for (int64_t i = 0; i < inner; ++i) acc[i] += static_cast<Acc>(s[i]);
            }
            for (int64_t i = 0; i < inner; ++i) o[i] = T(acc[i]);
          } else {
            std::memcpy(o, src + order[b] * inner, inner * sizeof(T));
            for (int64_t q = b + 1; q < e; ++q) {
              const T* s = src + order[q] * inner;
              for (int64_t i = 0; i < inner; ++i) o[i] = static_cast<T>(o[i] + s[i]);
            }
          }
        }
      },
      inner * (count / ngroups + 1));
}

// The gradient input (0) sets the output dtype; the indices (1) may have any.
void grad_input_type(const Params&, std::vector<DType>* in, std::vector<DType>* out) {
  (*out)[0] = (*in)[0];
}

void scatter_add(const TBlob& src, const TBlob& out, int64_t rows, int64_t inner,
                 const int64_t* dest, int64_t count) {
  MXL_TYPE_SWITCH(out.dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      throw_error(MXL_ERR_TYPE, "Operator ", "_backward_take/_backward_gather_nd",
                  ": bool gradients are not supported");
    } else {
      scatter_add_rows(out.ptr<T>(), rows, inner, src.ptr<const T>(), dest, count);
    }
  })
}

// ---------------------------------------------------------------------------
// _backward_take(ograd, indices; axis, mode, shape): shape is the data's.
// ---------------------------------------------------------------------------

void backward_take_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape data(p.get_shape("shape"));
  (*out)[0] = data;
  if (!(*in)[1].known()) return;
  const Shape expected = take_result(data, (*in)[1], p.get_int("axis"));
  if (!(*in)[0].known()) (*in)[0] = expected;
  MXL_CHECK((*in)[0] == expected, MXL_ERR_VALUE, "Operator _backward_take: argument 'ograd' has shape ",
            (*in)[0].str(), " but take of 'indices' ", (*in)[1].str(), " from data of shape ",
            data.str(), " has shape ", expected.str());
}

void backward_take_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                           const std::vector<TBlob>& out) {
  const TBlob &ograd = in[0], &idx = in[1];
  const Shape& data = out[0].shape;
  const int axis = normalize_axis(p.get_int("axis"), data.ndim(), "_backward_take", "axis");
  const int64_t outer = data.prod(0, axis), n = data[axis], inner = data.prod(axis + 1, data.ndim());
  const int64_t k = idx.numel();
  std::vector<int64_t> dest(outer * k);
  if (k > 0 && n > 0) {
    std::vector<int64_t> pos(k);
    const TakeMode mode = static_cast<TakeMode>(p.get("mode").i);
    MXL_TYPE_SWITCH(idx.dtype, IT, {
      take_positions(idx.ptr<const IT>(), k, n, mode, axis, pos.data());
    })
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < k; ++j) dest[o * k + j] = o * n + pos[j];
  }
  scatter_add(ograd, out[0], outer * n, inner, dest.data(), n > 0 ? outer * k : 0);
}

// ---------------------------------------------------------------------------
// _backward_gather_nd(data, indices; shape)
// ---------------------------------------------------------------------------

void backward_gather_nd_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const std::vector<int64_t>& target = p.get_shape("shape");
  MXL_CHECK(target.size() <= static_cast<size_t>(kMaxNdim), MXL_ERR_VALUE,
            "Operator _backward_gather_nd: argument 'shape' has too many dimensions");
  const Shape shape(target);
  (*out)[0] = shape;
  if (!(*in)[1].known()) return;
  const Shape expected = gather_nd_result("_backward_gather_nd", shape, (*in)[1]);
  if (!(*in)[0].known()) (*in)[0] = expected;
  MXL_CHECK((*in)[0] == expected, MXL_ERR_VALUE, "Operator _backward_gather_nd: argument 'data' has shape ",
            (*in)[0].str(), " but 'indices' of shape ", (*in)[1].str(), " select a region of shape ",
            expected.str(), " from 'shape' ", shape.str());
}

void backward_gather_nd_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                                const std::vector<TBlob>& out) {
  const TBlob &data = in[0], &idx = in[1];
  const Shape& shape = out[0].shape;
  const NdPlan plan = nd_plan(shape, idx.shape);
  std::vector<int64_t> offsets(plan.count);
  MXL_TYPE_SWITCH(idx.dtype, IT, {
    nd_offsets("_backward_gather_nd", shape, idx.ptr<const IT>(), plan.m, plan.count,
               offsets.data());
  })
  scatter_add(data, out[0], shape.prod(0, plan.m), plan.inner, offsets.data(), plan.count);
}

// ---------------------------------------------------------------------------
// _backward_scatter_set_nd(ograd, indices)
// ---------------------------------------------------------------------------

void backward_scatter_set_nd_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!all_known(*in)) return;
  (*out)[0] = gather_nd_result("_backward_scatter_set_nd", (*in)[0], (*in)[1]);
}

void backward_scatter_set_nd_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                                     const std::vector<TBlob>& out) {
  const TBlob &ograd = in[0], &idx = in[1];
  const NdPlan plan = nd_plan(ograd.shape, idx.shape);
  if (plan.count == 0 || plan.inner == 0) return;
  std::vector<int64_t> offsets(plan.count);
  MXL_TYPE_SWITCH(idx.dtype, IT, {
    nd_offsets("_backward_scatter_set_nd", ograd.shape, idx.ptr<const IT>(), plan.m, plan.count,
               offsets.data());
  })
  // The winner of each addressed row is the last index tuple naming it.
  std::vector<int64_t> order(plan.count);
  std::iota(order.begin(), order.end(), int64_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return offsets[a] < offsets[b]; });
  std::vector<char> wins(plan.count, 0);
  for (int64_t i = 0; i < plan.count; ++i)
    wins[order[i]] = i + 1 == plan.count || offsets[order[i + 1]] != offsets[order[i]];
  const int64_t row_bytes = plan.inner * dtype_size(ograd.dtype);
  const char* src = static_cast<const char*>(ograd.dptr);
  char* dst = static_cast<char*>(out[0].dptr);
  parallel_for(
      plan.count,
      [&](int64_t y0, int64_t y1) {
        for (int64_t y = y0; y < y1; ++y) {
          // All-zero bytes are zero in every dtype.
          if (wins[y]) std::memcpy(dst + y * row_bytes, src + offsets[y] * row_bytes, row_bytes);
          else std::memset(dst + y * row_bytes, 0, row_bytes);
        }
      },
      plan.inner);
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

void register_indexing_backward() {
  Registry::get()
      .add("_backward_take")
      .describe("The gradient of take: 'ograd' (the gradient of take's output) added into an "
                "array of the data's 'shape' at the positions 'indices' select along 'axis' "
                "(resolved by 'mode' as in take); repeated indices add up.")
      .add_input("ograd", "Gradient of take's output.")
      .add_input("indices", "The indices take was called with.")
      .add_param("axis", "int", "0", "The axis take selected along.")
      .add_param("mode", "enum{clip,wrap,raise}", "clip", "take's mode for out-of-range indices.")
      .add_param("shape", "shape", "", "Shape of take's data (the output's shape).")
      .set_infer_shape(backward_take_shape)
      .set_infer_type(grad_input_type)
      .set_forward(backward_take_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
        Attrs attrs;
        for (const auto& kv : n.params->attrs())
          if (kv.first != "shape") attrs.push_back(kv);
        return {b.op("take", {n.out_grads[0], n.inputs[1]}, attrs), GradValue{}};
      });

  Registry::get()
      .add("_backward_gather_nd")
      .describe("The gradient of gather_nd: the rows of 'data' added into zeros of 'shape' at "
                "the index tuples in 'indices'; repeated tuples add up.")
      .add_input("data", "data")
      .add_input("indices", "indices")
      .add_param("shape", "shape", "", "Shape of output.")
      .set_infer_shape(backward_gather_nd_shape)
      .set_infer_type(grad_input_type)
      .set_forward(backward_gather_nd_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
        return {b.op("gather_nd", {n.out_grads[0], n.inputs[1]}), GradValue{}};
      });

  Registry::get()
      .add("_backward_scatter_set_nd")
      .describe("The gradient of _scatter_set_nd's 'rhs': the rows of 'ograd' the index tuples "
                "address, zero for a tuple a later repeated tuple overwrote.")
      .add_input("ograd", "Gradient of _scatter_set_nd's output.")
      .add_input("indices", "The indices _scatter_set_nd was called with.")
      .set_infer_shape(backward_scatter_set_nd_shape)
      .set_infer_type(grad_input_type)
      .set_forward(backward_scatter_set_nd_forward)
      // Linear in ograd; its adjoint writes each row back to the position it
      // won, which is _scatter_set_nd into zeros (the last write wins there too).
      .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
        const GradValue ograd = n.inputs[0];
        return {b.op("_scatter_set_nd",
                     {b.op("zeros_like", {ograd}), n.out_grads[0], n.inputs[1]},
                     {{"shape", b.shape(ograd).str()}}),
                GradValue{}};
      });
}

MXL_REGISTER_BLOCK(register_indexing_backward);

}  // namespace
}  // namespace mxl
