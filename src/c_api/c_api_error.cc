// Version, last error and small process-wide queries.
#include "c_api/api_common.h"
#include "storage/storage.h"

namespace mxl {
namespace capi {
namespace {
struct LastError {
  int kind = MXL_OK;
  std::string message;
};
thread_local LastError last_error;
}  // namespace

std::atomic<int64_t>& live_handles() {
  static std::atomic<int64_t> count{0};
  return count;
}

void set_last_error(int kind, const char* msg) {
  last_error.kind = kind;
  last_error.message = msg ? msg : "";
}

void copy_out_string(const std::string& s, char* buf, uint64_t cap, uint64_t* needed) {
  if (cap != 0 && cap < s.size() + 1)
    throw_error(MXL_ERR_VALUE, "buffer of ", cap, " bytes is too small: ", s.size() + 1,
                " bytes are needed");
  if (cap != 0) {
    if (!buf) throw_error(MXL_ERR_VALUE, "buffer is NULL but its capacity is ", cap);
    std::memcpy(buf, s.c_str(), s.size() + 1);
  }
  if (needed) *needed = s.size() + 1;
}

}  // namespace capi
}  // namespace mxl

using namespace mxl;

extern "C" {

int32_t mxl_version(void) { return MXL_VERSION; }

int32_t mxl_last_error(int32_t* kind, char* buf, uint64_t cap, uint64_t* needed) {
  const auto& e = capi::last_error;
  if (kind) *kind = e.kind;
  if (needed) *needed = e.message.size() + 1;
  if (buf && cap > 0) {
    size_t n = e.message.size() < cap - 1 ? e.message.size() : cap - 1;
    std::memcpy(buf, e.message.data(), n);
    buf[n] = '\0';
  }
  return e.kind;
}

int mxl_live_handles(int64_t* count) {
  MXL_API_BEGIN
  capi::check_out(count, "mxl_live_handles", "count");
  *count = capi::live_handles().load();
  MXL_API_END
}

int mxl_storage_stats(int64_t* in_use, int64_t* peak, int64_t* pooled) {
  MXL_API_BEGIN
  if (in_use) *in_use = storage::bytes_in_use();
  if (peak) *peak = storage::bytes_peak();
  if (pooled) *pooled = storage::bytes_pooled();
  MXL_API_END
}

int mxl_storage_release_pooled(void) {
  MXL_API_BEGIN
  engine::get()->wait_all();
  storage::release_pooled();
  MXL_API_END
}

int mxl_storage_reset_peak(void) {
  MXL_API_BEGIN
  storage::reset_peak();
  MXL_API_END
}

int mxl_engine_set_type(const char* name) {
  MXL_API_BEGIN
  if (!name) throw_error(MXL_ERR_VALUE, "mxl_engine_set_type: name is NULL");
  engine::set_type(name);
  MXL_API_END
}

int mxl_engine_type(char* buf, uint64_t cap, uint64_t* needed) {
  MXL_API_BEGIN
  capi::copy_out_string(engine::get()->type_name(), buf, cap, needed);
  MXL_API_END
}

int mxl_wait_all(void) {
  MXL_API_BEGIN
  engine::get()->wait_all();
  MXL_API_END
}

}  // extern "C"
