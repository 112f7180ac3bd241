// MXNet's NDArray list format (.params files, mx.nd.save / mx.nd.load),
// read and written in the core so every language binding shares one
// implementation.  The layout (DESIGN.md section 9, little-endian):
//
//   u64 0x112, u64 0 (reserved), u64 N, N arrays, u64 K, K names (u64 len + bytes)
//
// K is 0 for a list file and N for a dict file.  Each array starts with a
// magic word that selects its layout (see ndarray_file.cc for all four).
//
// Behaviour chosen where MXNet gives no single answer:
//  * "none" arrays (MXNet writes them for arrays that were never allocated)
//    load as empty NDArrays (is_none()); the C ABI hands them out as NULL
//    handles.  Writing a none array produces MXNet's none record.
//  * 0-d arrays are written with the numpy-shape magic 0xF993FACA, since the
//    legacy layout reads ndim 0 as "none"; every other array uses
//    0xF993FAC9, which MXNet 1.x loads without numpy-shape mode.
//  * dtypes MXNet can write but mxlite has no kernels for are widened
//    exactly on load: bfloat16 -> float32, int16 / uint16 -> int32,
//    uint32 -> int64, uint64 -> int64 (VALUE error if a value exceeds it).
//  * sparse arrays (stype 1 row_sparse, 2 csr) fail with NOT_IMPLEMENTED.
//  * arrays saved on any device load on the CPU.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ndarray/ndarray.h"

namespace mxl {
namespace io {

struct ArrayList {
  std::vector<NDArray> arrays;     // is_none() entries are MXNet "none" arrays
  std::vector<std::string> names;  // empty for a list file, one per array for a dict file
  bool has_names = false;
};

// Magic words of the format.
constexpr uint64_t kListMagic = 0x112;
constexpr uint32_t kArrayMagicV1 = 0xF993FAC8;  // int64 dims, no storage type
constexpr uint32_t kArrayMagicV2 = 0xF993FAC9;  // storage type, legacy shape semantics
constexpr uint32_t kArrayMagicV3 = 0xF993FACA;  // storage type, numpy shape semantics

// Bytes the serialized list takes.  names: nullptr for a list file, else one
// name per array.  Arrays may be none.
uint64_t saved_size(const std::vector<NDArray>& arrays, const std::vector<std::string>* names);

// Serialize into a file / a caller buffer of at least saved_size() bytes.
// Both wait for pending writes to the arrays and rethrow their errors.
void save_file(const std::string& path, const std::vector<NDArray>& arrays,
               const std::vector<std::string>* names);
void save_buffer(const std::vector<NDArray>& arrays, const std::vector<std::string>* names,
                 void* buf, uint64_t cap);

// Parse a file / a memory block.  Malformed input throws Error(VALUE) naming
// the source ("file 'x.params'" or "buffer"), the byte offset and what was
// expected; nothing is read past the end of the input.
ArrayList load_file(const std::string& path);
ArrayList load_buffer(const void* data, uint64_t size);

}  // namespace io
}  // namespace mxl
