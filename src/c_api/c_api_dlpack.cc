// Zero-copy exchange with NumPy, PyTorch, JAX... through DLPack.
#include <cstring>

#include "c_api/api_common.h"
#include "ndarray/dlpack_types.h"

using namespace mxl;
using capi::array_of;
using capi::check_out;

namespace {

// Keeps the storage alive for as long as the consumer holds the tensor.
template <typename Managed>
struct ExportCtx {
  NDArray array;  // holds a reference to the chunk
  int64_t shape[kMaxNdim];
  Managed managed;
};

template <typename Managed>
void fill_tensor(ExportCtx<Managed>* ctx, DLTensor* t) {
  const NDArray& a = ctx->array;
  for (int i = 0; i < a.shape().ndim(); ++i) ctx->shape[i] = a.shape()[i];
  a.chunk()->pinned.store(true);  // the address leaves the library: it must stay
  t->data = a.data();
  t->device = DLDevice{kDLCPU, 0};
  t->ndim = a.shape().ndim();
  int32_t code = dtype_info(a.dtype()).abi_code;
  t->dtype = DLDataType{static_cast<uint8_t>(code & 0xff), static_cast<uint8_t>((code >> 8) & 0xff),
                        1};
  t->shape = ctx->shape;
  t->strides = nullptr;
  t->byte_offset = 0;
}

template <typename Managed>
ExportCtx<Managed>* export_array(mxl_array_t* arr, const char* fn) {
  const NDArray& a = array_of(arr, fn);
  // The consumer may read or write at once: every pending op must be done.
  a.wait_to_write();
  auto* ctx = new ExportCtx<Managed>();
  ctx->array = a;
  std::memset(&ctx->managed, 0, sizeof(Managed));
  fill_tensor(ctx, &ctx->managed.dl_tensor);
  ctx->managed.manager_ctx = ctx;
  ctx->managed.deleter = [](Managed* self) {
    delete static_cast<ExportCtx<Managed>*>(self->manager_ctx);
  };
  return ctx;
}

DType dtype_from_dl(const DLDataType& t, const char* fn) {
  MXL_CHECK(t.lanes == 1, MXL_ERR_TYPE, fn, ": vector dtypes (lanes=", t.lanes,
            ") are not supported");
  DType out;
  MXL_CHECK(dtype_from_abi(MXL_DTYPE(t.code, t.bits), &out), MXL_ERR_TYPE, fn,
            ": unsupported DLPack dtype (code ", int(t.code), ", bits ", int(t.bits), ")");
  return out;
}

// Wraps a compact CPU tensor without copying; copies anything strided.
// read_only: the producer forbids writes (DLPack 1.x flag), so the data is
// copied rather than shared with arrays mxlite may write in place.
template <typename Managed>
NDArray import_tensor(Managed* m, const char* fn, bool read_only) {
  MXL_CHECK(m, MXL_ERR_VALUE, fn, ": tensor is NULL");
  const DLTensor& t = m->dl_tensor;
  MXL_CHECK(t.device.device_type == kDLCPU, MXL_ERR_NOT_IMPLEMENTED, fn,
            ": only CPU tensors can be imported, got device type ", t.device.device_type);
  MXL_CHECK(t.ndim >= 0 && t.ndim <= kMaxNdim, MXL_ERR_VALUE, fn, ": ndim ", t.ndim,
            " is out of range");
  DType dt = dtype_from_dl(t.dtype, fn);
  Shape shape;
  for (int i = 0; i < t.ndim; ++i) {
    MXL_CHECK(t.shape[i] >= 0, MXL_ERR_VALUE, fn, ": negative extent ", t.shape[i]);
    shape.push_back(t.shape[i]);
  }
  bool compact = !read_only;
  if (t.strides) {
    int64_t expected = 1;
    for (int i = t.ndim - 1; i >= 0; --i) {
      if (shape[i] != 1 && t.strides[i] != expected) compact = false;
      expected *= shape[i];
    }
  }
  char* base = static_cast<char*>(t.data) + t.byte_offset;
  if (compact) {
    return NDArray::from_external(base, shape, dt, [m]() {
      if (m->deleter) m->deleter(m);
    });
  }
  NDArray a(shape, dt);
  const int64_t esize = dtype_size(dt), n = shape.numel();
  char* dst = static_cast<char*>(a.data());
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rem = flat, off = 0;
    for (int i = t.ndim - 1; i >= 0; --i) {
      int64_t stride = t.strides ? t.strides[i] : shape.prod(i + 1, t.ndim);
      off += (rem % shape[i]) * stride;
      rem /= shape[i];
    }
    std::memcpy(dst + flat * esize, base + off * esize, esize);
  }
  if (m->deleter) m->deleter(m);
  return a;
}

}  // namespace

extern "C" {

int mxl_array_to_dlpack(mxl_array_t* arr, DLManagedTensorVersioned** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_array_to_dlpack", "out");
  auto* ctx = export_array<DLManagedTensorVersioned>(arr, "mxl_array_to_dlpack");
  ctx->managed.version = DLPackVersion{kDLPackMajor, kDLPackMinor};
  ctx->managed.flags = 0;
  *out = &ctx->managed;
  MXL_API_END
}

int mxl_array_to_dlpack_legacy(mxl_array_t* arr, DLManagedTensor** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_array_to_dlpack_legacy", "out");
  *out = &export_array<DLManagedTensor>(arr, "mxl_array_to_dlpack_legacy")->managed;
  MXL_API_END
}

int mxl_array_from_dlpack(DLManagedTensorVersioned* tensor, mxl_array_t** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_array_from_dlpack", "out");
  MXL_CHECK(tensor, MXL_ERR_VALUE, "mxl_array_from_dlpack: tensor is NULL");
  MXL_CHECK(tensor->version.major == kDLPackMajor, MXL_ERR_NOT_IMPLEMENTED,
            "mxl_array_from_dlpack: DLPack major version ", tensor->version.major,
            " is not supported (expected ", kDLPackMajor, ")");
  NDArray a = import_tensor(tensor, "mxl_array_from_dlpack",
                            (tensor->flags & kDLPackFlagReadOnly) != 0);
  *out = capi::new_array_handle(std::move(a));
  MXL_API_END
}

int mxl_array_from_dlpack_legacy(DLManagedTensor* tensor, mxl_array_t** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_array_from_dlpack_legacy", "out");
  NDArray a = import_tensor(tensor, "mxl_array_from_dlpack_legacy", false);
  *out = capi::new_array_handle(std::move(a));
  MXL_API_END
}

}  // extern "C"
