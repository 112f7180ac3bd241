// Operators that replicate one array along extent-1 dimensions:
// broadcast_to (to an explicit shape), broadcast_like (to another array's
// shape) and broadcast_axis (along named axes).  The arithmetic broadcast_*
// operators live with their same-shape twins in elemwise_binary.cc.
//
// Replication only moves bytes, so the kernel dispatches on the element size
// rather than the dtype: every dtype, bool included, shares four loops.
#include <cstring>
#include <set>

#include "common/parallel.h"
#include "operator/broadcast_util.h"
#include "operator/grad_util.h"
#include "operator/registry.h"

namespace mxl {
namespace {

// ---------------------------------------------------------------------------
// Kernel
// ---------------------------------------------------------------------------

// E is an unsigned integer of the element's width.
template <typename E>
void replicate(const TBlob& src, const TBlob& dst) {
  const int64_t n = dst.numel();
  const E* in = src.ptr<E>();
  E* out = dst.ptr<E>();
  const int64_t n_in = src.numel();
  if (n_in == n) {  // nothing to stretch (only leading 1s were added)
    parallel_for(n, [=](int64_t begin, int64_t end) {
      std::memcpy(out + begin, in + begin, (end - begin) * sizeof(E));
    });
    return;
  }
  if (n_in == 1) {
    const E v = *in;
    parallel_for(n, [=](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) out[i] = v;
    });
    return;
  }
  const Shape* shapes[1] = {&src.shape};
  const BroadcastPlan<1> plan = make_broadcast_plan<1>(dst.shape, shapes);
  const bool inner_varies = plan.strides[0][plan.ndim - 1] != 0;
  parallel_for(n, [&](int64_t begin, int64_t end) {
    for_each_segment(plan, begin, end, [&](int64_t pos, const int64_t* off, int64_t len) {
      if (inner_varies) {
        std::memcpy(out + pos, in + off[0], len * sizeof(E));
      } else {
        const E v = in[off[0]];
        for (int64_t i = 0; i < len; ++i) out[pos + i] = v;
      }
    });
  });
}

// Copies src (which broadcasts to dst's shape) into dst.
void broadcast_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  const TBlob &src = in[0], &dst = out[0];
  MXL_CHECK(src.dtype == dst.dtype, MXL_ERR_TYPE, "Operator ", p.op()->name,
            ": the output dtype ", dtype_name(dst.dtype), " differs from the input dtype ",
            dtype_name(src.dtype));
  MXL_CHECK(broadcasts_to(src.shape, dst.shape), MXL_ERR_VALUE, "Operator ", p.op()->name,
            ": input of shape ", src.shape.str(), " cannot be broadcast to the output shape ",
            dst.shape.str());
  if (dst.numel() == 0) return;
  switch (dtype_size(src.dtype)) {
    case 1: replicate<uint8_t>(src, dst); break;
    case 2: replicate<uint16_t>(src, dst); break;
    case 4: replicate<uint32_t>(src, dst); break;
    case 8: replicate<uint64_t>(src, dst); break;
    default:
      throw_error(MXL_ERR_TYPE, "Operator ", p.op()->name, ": unsupported dtype ",
                  dtype_name(src.dtype));
  }
}

// ---------------------------------------------------------------------------
// Shape inference
// ---------------------------------------------------------------------------

// broadcast_to: target extents of 0 keep the input's extent (MXNet's rule).
// Beyond MXNet, the target may add leading dimensions, as NumPy allows.
void infer_broadcast_to(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[0];
  if (!data.known()) return;
  const std::string& op = p.op()->name;
  const std::vector<int64_t>& target = p.get_shape("shape");
  const Shape target_shape(target);
  const int nd = static_cast<int>(target.size());
  MXL_CHECK(nd >= data.ndim(), MXL_ERR_VALUE, "Operator ", op, ": input 'data' of shape ",
            data.str(), " cannot be broadcast to argument 'shape' = ", target_shape.str(),
            ", which has fewer dimensions");
  const int lead = nd - data.ndim();
  Shape result;
  for (int d = 0; d < nd; ++d) {
    int64_t extent = target[d];
    MXL_CHECK(extent >= 0, MXL_ERR_VALUE, "Operator ", op, ": argument 'shape' = ",
              target_shape.str(), " has a negative extent");
    if (extent == 0) {
      MXL_CHECK(d >= lead, MXL_ERR_VALUE, "Operator ", op, ": argument 'shape' = ",
                target_shape.str(), " has 0 (keep the input's extent) at position ", d,
                ", which input 'data' of shape ", data.str(), " does not have");
      extent = data[d - lead];
    }
    result.push_back(extent);
  }
  MXL_CHECK(broadcasts_to(data, result), MXL_ERR_VALUE, "Operator ", op,
            ": input 'data' of shape ", data.str(), " cannot be broadcast to argument 'shape' = ",
            target_shape.str(), "; each input extent must equal the target's or be 1");
  (*out)[0] = result;
}

// broadcast_like: without axes the output takes rhs's whole shape; with
// axes, lhs's extent on each lhs_axes[i] becomes rhs's on rhs_axes[i].
void infer_broadcast_like(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &lhs = (*in)[0], &rhs = (*in)[1];
  if (!lhs.known() || !rhs.known()) return;
  const std::string& op = p.op()->name;
  const bool no_lhs_axes = p.is_none("lhs_axes"), no_rhs_axes = p.is_none("rhs_axes");
  MXL_CHECK(no_lhs_axes == no_rhs_axes, MXL_ERR_VALUE, "Operator ", op,
            ": arguments 'lhs_axes' and 'rhs_axes' must both be given or both be None");
  if (no_lhs_axes) {
    MXL_CHECK(broadcasts_to(lhs, rhs), MXL_ERR_VALUE, "Operator ", op, ": input 'lhs' of shape ",
              lhs.str(), " cannot be broadcast to the shape ", rhs.str(), " of input 'rhs'");
    (*out)[0] = rhs;
    return;
  }
  const std::vector<int64_t>& lhs_axes = p.get_shape("lhs_axes");
  const std::vector<int64_t>& rhs_axes = p.get_shape("rhs_axes");
  MXL_CHECK(lhs_axes.size() == rhs_axes.size(), MXL_ERR_VALUE, "Operator ", op,
            ": arguments 'lhs_axes' ", Shape(lhs_axes).str(), " and 'rhs_axes' ",
            Shape(rhs_axes).str(), " must have the same length");
  Shape result = lhs;
  for (size_t i = 0; i < lhs_axes.size(); ++i) {
    const int la = normalize_axis(op, "lhs_axes", lhs_axes[i], lhs.ndim());
    const int ra = normalize_axis(op, "rhs_axes", rhs_axes[i], rhs.ndim());
    MXL_CHECK(lhs[la] == 1 || lhs[la] == rhs[ra], MXL_ERR_VALUE, "Operator ", op,
              ": input 'lhs' of shape ", lhs.str(), " has extent ", lhs[la], " on axis ", la,
              ", which cannot be broadcast to extent ", rhs[ra], " (axis ", ra,
              " of input 'rhs' of shape ", rhs.str(), "); expected 1");
    result[la] = rhs[ra];
  }
  (*out)[0] = result;
}

// The output takes lhs's dtype; rhs only lends its shape, so its dtype is free.
void infer_broadcast_like_type(const Params&, std::vector<DType>* in, std::vector<DType>* out) {
  (*out)[0] = (*in)[0];
}

void infer_broadcast_axis(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[0];
  if (!data.known()) return;
  const std::string& op = p.op()->name;
  const std::vector<int64_t>& axes = p.get_shape("axis");
  const std::vector<int64_t>& sizes = p.get_shape("size");
  MXL_CHECK(axes.size() == sizes.size(), MXL_ERR_VALUE, "Operator ", op, ": arguments 'axis' ",
            Shape(axes).str(), " and 'size' ", Shape(sizes).str(), " must have the same length");
  Shape result = data;
  std::set<int> seen;
  for (size_t i = 0; i < axes.size(); ++i) {
    const int a = normalize_axis(op, "axis", axes[i], data.ndim());
    MXL_CHECK(seen.insert(a).second, MXL_ERR_VALUE, "Operator ", op, ": argument 'axis' ",
              Shape(axes).str(), " names axis ", a, " more than once");
    MXL_CHECK(data[a] == 1, MXL_ERR_VALUE, "Operator ", op, ": argument 'axis' names axis ", a,
              " of input 'data' of shape ", data.str(), ", which has extent ", data[a],
              "; only axes of extent 1 can be broadcast");
    MXL_CHECK(sizes[i] >= 0, MXL_ERR_VALUE, "Operator ", op, ": argument 'size' ",
              Shape(sizes).str(), " has a negative entry; expected sizes >= 0");
    result[a] = sizes[i];
  }
  (*out)[0] = result;
}

// ---------------------------------------------------------------------------
// Gradient: replication sums back over the replicated axes.  broadcast_like's
// rhs only lends its shape and gets zero (as in MXNet).
// ---------------------------------------------------------------------------

std::vector<GradValue> broadcast_gradient(GradBuilder& b, const GradNode& n) {
  std::vector<GradValue> grads(n.inputs.size());
  if (n.needs_input_grad[0]) grads[0] = grad::sum_to(b, n.out_grads[0], b.shape(n.inputs[0]));
  if (n.inputs.size() > 1 && n.needs_input_grad[1]) grads[1] = grad::zeros_of(b, n.inputs[1]);
  return grads;
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

MXL_REGISTER_OP(broadcast_to)
    .describe(
        "Broadcasts the input array to a new shape, replicating it along dimensions of "
        "extent 1. A 0 in 'shape' keeps the input's extent on that dimension, so "
        "broadcast_to(x, shape=(10, 0, 0)) equals broadcast_axis(x, axis=0, size=10) for x of "
        "shape (1, m, n). As in NumPy, 'shape' may also add leading dimensions.")
    .add_input("data", "The input")
    .add_param("shape", "shape", "[]",
               "The target shape; an entry of 0 keeps the input's extent on that dimension.")
    .set_infer_shape(infer_broadcast_to)
    .set_forward(broadcast_forward)
    .set_gradient(broadcast_gradient);

MXL_REGISTER_OP(broadcast_like)
    .describe(
        "Broadcasts lhs to the shape of rhs, replicating it along dimensions of extent 1. With "
        "lhs_axes and rhs_axes given, only those axes of lhs take the extents of the matching "
        "axes of rhs; the other extents of lhs are kept. The output has lhs's dtype; rhs "
        "supplies only its shape.")
    .add_input("lhs", "First input.")
    .add_input("rhs", "Second input.")
    .add_param("lhs_axes", "optional<shape>", "None",
               "Axes of lhs to broadcast; None broadcasts lhs to the whole shape of rhs.")
    .add_param("rhs_axes", "optional<shape>", "None",
               "Axes of rhs whose extents lhs_axes take, one per entry of lhs_axes.")
    .set_infer_shape(infer_broadcast_like)
    .set_infer_type(infer_broadcast_like_type)
    .set_forward(broadcast_forward)
    .set_gradient(broadcast_gradient);

MXL_REGISTER_OP(broadcast_axis)
    .describe(
        "Broadcasts the input array over particular axes: each axis in 'axis' must have "
        "extent 1 and is replicated to the matching entry of 'size', e.g. from (2, 1, 3, 1) to "
        "(2, 8, 3, 9) with axis=(1, 3), size=(8, 9). Negative axes count from the end.")
    .add_alias("broadcast_axes")
    .add_input("data", "The input")
    .add_param("axis", "shape", "[]", "Axes to broadcast; each must have extent 1 in the input.")
    .add_param("size", "shape", "[]", "Extent to broadcast each axis in 'axis' to.")
    .set_infer_shape(infer_broadcast_axis)
    .set_forward(broadcast_forward)
    .set_gradient(broadcast_gradient);

}  // namespace
}  // namespace mxl
