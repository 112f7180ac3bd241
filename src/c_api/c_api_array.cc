// Array entry points: create/free, metadata, host copies, views, sync.
#include "autograd/gradient.h"
#include "c_api/api_common.h"
#include "imperative/invoke.h"

using namespace mxl;
using capi::array_of;
using capi::check_out;

namespace {

Shape shape_from_abi(const int64_t* shape, int32_t ndim, const char* fn) {
  MXL_CHECK(ndim >= 0 && ndim <= kMaxNdim, MXL_ERR_VALUE, fn, ": ndim must be in [0, ", kMaxNdim,
            "], got ", ndim);
  MXL_CHECK(ndim == 0 || shape, MXL_ERR_VALUE, fn, ": shape is NULL but ndim is ", ndim);
  Shape s(shape, ndim);
  for (int i = 0; i < ndim; ++i)
    MXL_CHECK(s[i] >= 0, MXL_ERR_VALUE, fn, ": shape ", s.str(), " has a negative extent");
  return s;
}

// MXNet's special codes (0 copy, -1 infer, -2, -3, -4) mean what the Reshape
// op says they mean: ask its shape inference rather than parse them twice.
Shape resolve_reshape_codes(const Shape& from, const Shape& codes) {
  const OpDef* op = Registry::get().find("Reshape");
  MXL_CHECK(op && op->infer_shape, MXL_ERR_NOT_IMPLEMENTED, "reshape: the Reshape op is missing");
  Params p(op);
  p.set("shape", codes.str());
  std::vector<Shape> in{from}, out(1, Shape::unknown());
  op->infer_shape(p, &in, &out);
  return out[0];
}

}  // namespace

extern "C" {

int mxl_array_create(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                     int32_t device_id, mxl_array_t** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_array_create", "out");
  Shape s = shape_from_abi(shape, ndim, "mxl_array_create");
  DType t;
  MXL_CHECK(dtype_from_abi(dtype, &t), MXL_ERR_TYPE, "mxl_array_create: unsupported dtype code ",
            dtype);
  MXL_CHECK(device_type == MXL_DEVICE_CPU && device_id == 0, MXL_ERR_NOT_IMPLEMENTED,
            "mxl_array_create: device (", device_type, ", ", device_id,
            ") is not available; this build supports only cpu(0)");
  *out = capi::new_array_handle(NDArray(s, t));
  MXL_API_END
}

void mxl_array_free(mxl_array_t* arr) {
  if (!arr || arr->magic != kArrayMagic) return;
  arr->magic = kDeadMagic;
  delete arr;
  capi::live_handles().fetch_sub(1, std::memory_order_relaxed);
}

int mxl_array_shape(const mxl_array_t* arr, int32_t* ndim, int64_t* shape, int32_t cap) {
  MXL_API_BEGIN
  const NDArray& a = array_of(arr, "mxl_array_shape");
  check_out(ndim, "mxl_array_shape", "ndim");
  MXL_CHECK(cap == 0 || shape, MXL_ERR_VALUE, "mxl_array_shape: shape buffer is NULL");
  int n = a.shape().ndim();
  for (int i = 0; i < n && i < cap; ++i) shape[i] = a.shape()[i];
  *ndim = n;
  MXL_API_END
}

int mxl_array_info(const mxl_array_t* arr, int32_t* ndim, int64_t* shape, int32_t cap,
                   int32_t* dtype) {
  MXL_API_BEGIN
  const NDArray& a = array_of(arr, "mxl_array_info");
  check_out(ndim, "mxl_array_info", "ndim");
  check_out(dtype, "mxl_array_info", "dtype");
  MXL_CHECK(cap == 0 || shape, MXL_ERR_VALUE, "mxl_array_info: shape buffer is NULL");
  int n = a.shape().ndim();
  for (int i = 0; i < n && i < cap; ++i) shape[i] = a.shape()[i];
  *ndim = n;
  *dtype = dtype_info(a.dtype()).abi_code;
  MXL_API_END
}

int mxl_array_dtype(const mxl_array_t* arr, int32_t* dtype) {
  MXL_API_BEGIN
  const NDArray& a = array_of(arr, "mxl_array_dtype");
  check_out(dtype, "mxl_array_dtype", "dtype");
  *dtype = dtype_info(a.dtype()).abi_code;
  MXL_API_END
}

int mxl_array_device(const mxl_array_t* arr, int32_t* device_type, int32_t* device_id) {
  MXL_API_BEGIN
  array_of(arr, "mxl_array_device");
  check_out(device_type, "mxl_array_device", "device_type");
  check_out(device_id, "mxl_array_device", "device_id");
  *device_type = MXL_DEVICE_CPU;
  *device_id = 0;
  MXL_API_END
}

int mxl_array_size(const mxl_array_t* arr, int64_t* size, int64_t* nbytes) {
  MXL_API_BEGIN
  const NDArray& a = array_of(arr, "mxl_array_size");
  check_out(size, "mxl_array_size", "size");
  *size = a.numel();
  if (nbytes) *nbytes = a.nbytes();
  MXL_API_END
}

int mxl_array_copy_from_host(mxl_array_t* arr, const void* data, uint64_t nbytes) {
  MXL_API_BEGIN
  const NDArray& a = array_of(arr, "mxl_array_copy_from_host");
  MXL_CHECK(data || nbytes == 0, MXL_ERR_VALUE, "mxl_array_copy_from_host: data is NULL");
  a.copy_from_host(data, nbytes);
  MXL_API_END
}

int mxl_array_copy_to_host(mxl_array_t* arr, void* data, uint64_t nbytes) {
  MXL_API_BEGIN
  const NDArray& a = array_of(arr, "mxl_array_copy_to_host");
  MXL_CHECK(data || nbytes == 0, MXL_ERR_VALUE, "mxl_array_copy_to_host: data is NULL");
  a.copy_to_host(data, nbytes);
  MXL_API_END
}

}  // extern "C"

namespace {

// Views of tracked arrays are recorded as the equivalent op while recording
// (MXNet's ReshapeWithRecord / SliceWithRecord), so gradients flow through.
autograd::Entry record_view(const char* op_name, const mxl::Attrs& attrs, const NDArray& in,
                            const autograd::Entry& in_entry, const NDArray& view) {
  if (!in_entry || !autograd::is_recording()) return {};
  const OpDef* op = Registry::get().find(op_name);
  std::vector<const char*> keys, vals;
  for (const auto& kv : attrs) keys.push_back(kv.first.c_str()), vals.push_back(kv.second.c_str());
  auto params = imperative::cached_params(op, static_cast<int>(keys.size()), keys.data(), vals.data());
  auto node = autograd::record_op(op, params, {autograd::Value{in, in_entry}}, {view});
  return node ? autograd::Entry{node, 0} : autograd::Entry{};
}

std::string shape_text(const Shape& s) { return s.str(); }

}  // namespace

extern "C" {

int mxl_array_reshape_view(mxl_array_t* arr, const int64_t* shape, int32_t ndim,
                           mxl_array_t** out) {
  MXL_API_BEGIN
  const NDArray& a = array_of(arr, "mxl_array_reshape_view");
  check_out(out, "mxl_array_reshape_view", "out");
  MXL_CHECK(ndim >= 0 && ndim <= kMaxNdim && (ndim == 0 || shape), MXL_ERR_VALUE,
            "mxl_array_reshape_view: bad shape or ndim ", ndim);
  Shape target(shape, ndim);
  bool plain = true;
  for (int i = 0; i < ndim; ++i) plain = plain && target[i] > 0;
  if (!plain) target = resolve_reshape_codes(a.shape(), target);
  NDArray view = a.reshape(target);
  auto entry = record_view("Reshape", {{"shape", shape_text(target)}}, a, arr->entry, view);
  *out = capi::new_array_handle(std::move(view));
  (*out)->entry = std::move(entry);
  MXL_API_END
}

int mxl_array_slice_view(mxl_array_t* arr, int64_t begin, int64_t end, mxl_array_t** out) {
  MXL_API_BEGIN
  const NDArray& a = array_of(arr, "mxl_array_slice_view");
  check_out(out, "mxl_array_slice_view", "out");
  NDArray view = a.slice(begin, end);
  auto entry = record_view("slice_axis", {{"axis", "0"}, {"begin", std::to_string(begin)},
                                          {"end", std::to_string(end)}}, a, arr->entry, view);
  *out = capi::new_array_handle(std::move(view));
  (*out)->entry = std::move(entry);
  MXL_API_END
}

int mxl_array_at_view(mxl_array_t* arr, int64_t index, mxl_array_t** out) {
  MXL_API_BEGIN
  const NDArray& a = array_of(arr, "mxl_array_at_view");
  check_out(out, "mxl_array_at_view", "out");
  NDArray view = a.at(index);
  autograd::Entry entry;
  if (arr->entry && autograd::is_recording()) {
    int64_t i = index < 0 ? index + a.shape()[0] : index;
    NDArray row = a.slice(i, i + 1);
    auto row_entry = record_view("slice_axis", {{"axis", "0"}, {"begin", std::to_string(i)},
                                                {"end", std::to_string(i + 1)}}, a, arr->entry, row);
    entry = record_view("Reshape", {{"shape", shape_text(view.shape())}}, row, row_entry, view);
  }
  *out = capi::new_array_handle(std::move(view));
  (*out)->entry = std::move(entry);
  MXL_API_END
}

int mxl_array_shares_storage(const mxl_array_t* a, const mxl_array_t* b, int32_t* out) {
  MXL_API_BEGIN
  const NDArray& x = array_of(a, "mxl_array_shares_storage");
  const NDArray& y = array_of(b, "mxl_array_shares_storage");
  check_out(out, "mxl_array_shares_storage", "out");
  *out = x.chunk() == y.chunk() ? 1 : 0;
  MXL_API_END
}

int mxl_array_wait_to_read(mxl_array_t* arr) {
  MXL_API_BEGIN
  array_of(arr, "mxl_array_wait_to_read").wait_to_read();
  MXL_API_END
}

int mxl_array_wait_to_write(mxl_array_t* arr) {
  MXL_API_BEGIN
  array_of(arr, "mxl_array_wait_to_write").wait_to_write();
  MXL_API_END
}

}  // extern "C"
