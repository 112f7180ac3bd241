// Array list files through the C ABI (the "files" section of c_api.h):
// mxl_arrays_save / load and the list handle that carries a loaded file's
// arrays and names.
#include <string>
#include <vector>

#include "c_api/api_common.h"
#include "io/ndarray_file.h"

constexpr uint32_t kArrayListMagic = 0x4d584c46;  // "MXLF"

struct mxl_array_list {
  uint32_t magic = kArrayListMagic;
  mxl::io::ArrayList list;
};

using namespace mxl;
using capi::check_out;

namespace {

const io::ArrayList& list_of(const mxl_array_list_t* h, const char* fn) {
  if (!h) throw_error(MXL_ERR_INVALID_HANDLE, fn, ": array list handle is NULL");
  if (h->magic != kArrayListMagic)
    throw_error(MXL_ERR_INVALID_HANDLE, fn, ": array list handle is invalid or was already freed");
  return h->list;
}

// The arrays (NULL handles become none arrays) and names of a save call.
void gather(const char* fn, int32_t num, mxl_array_t* const* arrays, const char* const* names,
            std::vector<NDArray>* out, std::vector<std::string>* out_names) {
  MXL_CHECK(num >= 0, MXL_ERR_VALUE, fn, ": num is negative (", num, ")");
  MXL_CHECK(num == 0 || arrays, MXL_ERR_VALUE, fn, ": arrays is NULL but num is ", num);
  out->reserve(num);
  for (int32_t i = 0; i < num; ++i)
    out->push_back(arrays[i] ? capi::array_of(arrays[i], fn) : NDArray());
  if (names) {
    out_names->reserve(num);
    for (int32_t i = 0; i < num; ++i) {
      MXL_CHECK(names[i], MXL_ERR_VALUE, fn, ": name ", i, " is NULL");
      out_names->emplace_back(names[i]);
    }
  }
}

mxl_array_list_t* new_list_handle(io::ArrayList list) {
  auto* h = new mxl_array_list;
  h->list = std::move(list);
  capi::live_handles().fetch_add(1, std::memory_order_relaxed);
  return h;
}

}  // namespace

extern "C" {

int mxl_arrays_save(const char* path, int32_t num, mxl_array_t* const* arrays,
                    const char* const* names) {
  MXL_API_BEGIN
  const char* fn = "mxl_arrays_save";
  MXL_CHECK(path, MXL_ERR_VALUE, fn, ": path is NULL");
  std::vector<NDArray> v;
  std::vector<std::string> n;
  gather(fn, num, arrays, names, &v, &n);
  io::save_file(path, v, names ? &n : nullptr);
  MXL_API_END
}

int mxl_arrays_save_buffer(int32_t num, mxl_array_t* const* arrays, const char* const* names,
                           void* buf, uint64_t cap, uint64_t* needed) {
  MXL_API_BEGIN
  const char* fn = "mxl_arrays_save_buffer";
  std::vector<NDArray> v;
  std::vector<std::string> n;
  gather(fn, num, arrays, names, &v, &n);
  const std::vector<std::string>* np = names ? &n : nullptr;
  uint64_t size = io::saved_size(v, np);
  if (cap != 0) {
    MXL_CHECK(cap >= size, MXL_ERR_VALUE, fn, ": buffer of ", cap, " bytes is too small: ", size,
              " bytes are needed");
    MXL_CHECK(buf, MXL_ERR_VALUE, fn, ": buffer is NULL but its capacity is ", cap);
    io::save_buffer(v, np, buf, cap);
  }
  if (needed) *needed = size;
  MXL_API_END
}

int mxl_arrays_load(const char* path, mxl_array_list_t** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_arrays_load", "out");
  MXL_CHECK(path, MXL_ERR_VALUE, "mxl_arrays_load: path is NULL");
  *out = new_list_handle(io::load_file(path));
  MXL_API_END
}

int mxl_arrays_load_buffer(const void* data, uint64_t size, mxl_array_list_t** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_arrays_load_buffer", "out");
  *out = new_list_handle(io::load_buffer(data, size));
  MXL_API_END
}

int mxl_array_list_size(const mxl_array_list_t* list, int32_t* num, int32_t* has_names) {
  MXL_API_BEGIN
  const io::ArrayList& l = list_of(list, "mxl_array_list_size");
  check_out(num, "mxl_array_list_size", "num");
  check_out(has_names, "mxl_array_list_size", "has_names");
  *num = static_cast<int32_t>(l.arrays.size());
  *has_names = l.has_names ? 1 : 0;
  MXL_API_END
}

int mxl_array_list_get(const mxl_array_list_t* list, int32_t index, mxl_array_t** out, char* name,
                       uint64_t cap, uint64_t* needed) {
  MXL_API_BEGIN
  const char* fn = "mxl_array_list_get";
  const io::ArrayList& l = list_of(list, fn);
  check_out(out, fn, "out");
  MXL_CHECK(index >= 0 && static_cast<size_t>(index) < l.arrays.size(), MXL_ERR_INDEX, fn,
            ": index ", index, " is out of range for a list of ", l.arrays.size(), " arrays");
  static const std::string kNoName;
  // The name first: a too-small buffer fails before a handle is created.
  capi::copy_out_string(l.has_names ? l.names[index] : kNoName, name, cap, needed);
  const NDArray& a = l.arrays[index];
  *out = a.is_none() ? nullptr : capi::new_array_handle(a);
  MXL_API_END
}

void mxl_array_list_free(mxl_array_list_t* list) {
  if (!list || list->magic != kArrayListMagic) return;
  list->magic = kDeadMagic;
  delete list;
  capi::live_handles().fetch_sub(1, std::memory_order_relaxed);
}

}  // extern "C"
