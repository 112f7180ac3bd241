// DLPack 1.x structure layouts (the documented ABI of dlpack.h), declared here
// so the core does not depend on a header package.  The struct tags match the
// forward declarations in include/c_api.h.  Layout facts: DLDevice is two
// 32-bit ints; DLDataType is {uint8 code, uint8 bits, uint16 lanes}.
#pragma once
#include <cstdint>

extern "C" {

struct DLPackVersion {
  uint32_t major;
  uint32_t minor;
};

struct DLDevice {
  int32_t device_type;  // an enum in dlpack.h; 32 bits wide there too
  int32_t device_id;
};

struct DLDataType {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
};

struct DLTensor {
  void* data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;
  int64_t* strides;  // NULL means compact row-major
  uint64_t byte_offset;
};

struct DLManagedTensor {
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DLManagedTensor* self);
};

struct DLManagedTensorVersioned {
  DLPackVersion version;
  void* manager_ctx;
  void (*deleter)(DLManagedTensorVersioned* self);
  uint64_t flags;
  DLTensor dl_tensor;
};

}  // extern "C"

constexpr uint32_t kDLPackMajor = 1;
constexpr uint32_t kDLPackMinor = 0;
constexpr uint64_t kDLPackFlagReadOnly = 1ull << 0;
constexpr uint64_t kDLPackFlagIsCopied = 1ull << 1;
constexpr int32_t kDLCPU = 1;
