// pick (MXNet 1.9): out[i] = data[i with index[i] inserted at `axis`].
//
// index has the data's shape without `axis` (or with it kept as 1); its
// values are truncated toward zero and then clipped into [0, n) (mode
// 'clip') or wrapped modulo n (mode 'wrap').  keepdims keeps the picked axis
// as size 1.  axis=None (pick from the flattened array) is rejected, as in
// MXNet 1.9.
//
// The gradient is the hidden kernel _backward_pick(ograd, data, index): ograd
// scattered into zeros of the data's shape (each row picks one element, so
// nothing collides); index gets no gradient.
#include <cmath>
#include <cstring>

#include "operator/nn_util.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

struct PickLayout {
  int64_t outer = 1, n = 1, inner = 1;
  int64_t rows() const { return outer * inner; }
  int64_t at(int64_t r, int64_t k) const { return ((r / inner) * n + k) * inner + r % inner; }
};

int pick_axis(const Params& p, const Shape& data) {
  MXL_CHECK(!p.is_none("axis"), MXL_ERR_VALUE, op_error_prefix(p.op()->name, "axis"),
            " is None, which pick does not support; specify an axis");
  return shape_ops::normalize_axis(p.get_int("axis"), data.ndim(), p.op()->name.c_str(), "axis");
}

PickLayout layout_of(const Params& p, const Shape& data) {
  const int ax = pick_axis(p, data);
  return PickLayout{data.prod(0, ax), data[ax], data.prod(ax + 1, data.ndim())};
}

Shape picked_shape(const Params& p, const Shape& data, bool keepdims) {
  const int ax = pick_axis(p, data);
  Shape s = data;
  if (keepdims) s[ax] = 1;
  else s.erase(ax);
  return s;
}

void check_index_shape(const Params& p, const Shape& data, const Shape& index) {
  const Shape removed = picked_shape(p, data, false), kept = picked_shape(p, data, true);
  MXL_CHECK(index == removed || index == kept, MXL_ERR_VALUE,
            op_error_prefix(p.op()->name, "index"), " has shape ", index.str(),
            "; expected ", removed.str(), " or ", kept.str(), " for data of shape ", data.str(),
            " and axis=", p.get_int("axis"));
}

void infer_pick_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[0];
  if (!data.known()) return;
  MXL_CHECK(data.ndim() >= 1, MXL_ERR_VALUE, op_error_prefix("pick", "data"), " is 0-d");
  const bool keep = p.get_bool("keepdims");
  if (!(*in)[1].known()) (*in)[1] = picked_shape(p, data, keep);
  check_index_shape(p, data, (*in)[1]);
  (*out)[0] = picked_shape(p, data, keep);
}

void infer_pick_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  MXL_CHECK((*in)[1] != DType::kBool, MXL_ERR_TYPE, op_error_prefix(p.op()->name, "index"),
            " has dtype bool; expected numeric indices");
  (*out)[0] = (*in)[0];
}

// The column an index value selects in a row of n.
int64_t column(double v, int64_t n, bool wrap) {
  if (std::isnan(v)) v = 0;
  const double t = std::trunc(v);
  if (wrap) {
    const double m = std::fmod(t, static_cast<double>(n));
    return static_cast<int64_t>(m < 0 ? m + static_cast<double>(n) : m);
  }
  if (t <= 0) return 0;
  if (t >= static_cast<double>(n - 1)) return n - 1;
  return static_cast<int64_t>(t);
}

template <typename F>
void with_index(const TBlob& index, F&& f) {
  MXL_TYPE_SWITCH(index.dtype, I, {
    if constexpr (!std::is_same_v<I, bool>) {
      const I* ip = index.ptr<I>();
      f([ip](int64_t r) { return static_cast<double>(ip[r]); });
    }
  })
}

void pick_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  const PickLayout l = layout_of(p, in[0].shape);
  const bool wrap = p.get_enum("mode") == "wrap";
  const int esize = dtype_size(in[0].dtype);
  MXL_CHECK(l.n > 0 || l.rows() == 0, MXL_ERR_INDEX, op_error_prefix("pick", "data"),
            " has an empty picking axis");
  const char* src = static_cast<const char*>(in[0].dptr);
  char* dst = static_cast<char*>(out[0].dptr);
  with_index(in[1], [&](auto idx) {
    parallel_for(l.rows(), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
        std::memcpy(dst + r * esize, src + l.at(r, column(idx(r), l.n, wrap)) * esize, esize);
    }, 4);
  });
}

void pick_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  const PickLayout l = layout_of(p, in[1].shape);
  const bool wrap = p.get_enum("mode") == "wrap";
  const int esize = dtype_size(in[0].dtype);
  const char* g = static_cast<const char*>(in[0].dptr);
  char* dx = static_cast<char*>(out[0].dptr);
  std::memset(dx, 0, out[0].nbytes());
  with_index(in[2], [&](auto idx) {
    parallel_for(l.rows(), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
        std::memcpy(dx + l.at(r, column(idx(r), l.n, wrap)) * esize, g + r * esize, esize);
    }, 4);
  });
}

void register_pick() {
  Registry::get()
      .add("pick")
      .describe(
          "Picks elements from an input array according to the input indices along the "
          "given axis: out[i] = data[..., index[i], ...]. mode 'clip' clips out-of-range "
          "indices, 'wrap' wraps them around.")
      .add_input("data", "The input array")
      .add_input("index", "The index array")
      .add_param("axis", "optional<int>", "-1",
                 "int or None. The axis to picking the elements. Negative values means indexing "
                 "from right to left. If is `None`, the elements in the index w.r.t the flattened "
                 "input will be picked.")
      .add_param("keepdims", "bool", "False",
                 "If true, the axis where we pick the elements is left in the result as "
                 "dimension with size one.")
      .add_param("mode", "enum{clip,wrap}", "clip",
                 "Specify how out-of-bound indices behave. Default is \"clip\".")
      .set_infer_shape(infer_pick_shape)
      .set_infer_type(infer_pick_type)
      .set_forward(pick_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
        return {b.op("_backward_pick", {n.out_grads[0], n.inputs[0], n.inputs[1]},
                     n.params->attrs()),
                GradValue()};
      });

  Registry::get()
      .add("_backward_pick")
      .describe("Gradient of pick: ograd scattered into zeros shaped like data.")
      .add_input("ograd", "Gradient of the output.")
      .add_input("data", "The forward's data (for its shape).")
      .add_input("index", "The forward's indices.")
      .copy_params_from("pick")
      .set_infer_shape([](const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
        const Shape& data = (*in)[1];
        check_index_shape(p, data, (*in)[2]);
        const Shape y = picked_shape(p, data, p.get_bool("keepdims"));
        MXL_CHECK((*in)[0].numel() == y.numel(), MXL_ERR_VALUE,
                  op_error_prefix("_backward_pick", "ograd"), " has shape ", (*in)[0].str(),
                  "; expected ", y.str());
        (*out)[0] = data;
      })
      .set_infer_type([](const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
        MXL_CHECK((*in)[0] == (*in)[1], MXL_ERR_TYPE,
                  "Operator _backward_pick: 'ograd' and 'data' must share one dtype");
        (*out)[0] = (*in)[0];
      })
      .set_forward(pick_backward);
}

MXL_REGISTER_BLOCK(register_pick);

}  // namespace
}  // namespace mxl
