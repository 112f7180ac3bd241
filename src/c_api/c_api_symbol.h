// The symbol handle's layout, shared by the C entry points that take
// symbols (c_api_symbol.cc now; executors and CachedOp later).
#pragma once
#include "c_api/api_common.h"
#include "symbol/symbol.h"

constexpr uint32_t kSymbolMagic = 0x4d584c53;  // "MXLS"

struct mxl_symbol {
  uint32_t magic = kSymbolMagic;
  mxl::symbol::Symbol sym;
};

namespace mxl {
namespace capi {

// The symbol behind a handle, or an INVALID_HANDLE error naming `what`.
inline const symbol::Symbol& symbol_of(const mxl_symbol_t* h, const char* what) {
  if (!h) throw_error(MXL_ERR_INVALID_HANDLE, what, ": symbol handle is NULL");
  if (h->magic != kSymbolMagic)
    throw_error(MXL_ERR_INVALID_HANDLE, what, ": symbol handle is invalid or was already freed");
  return h->sym;
}

inline mxl_symbol_t* new_symbol_handle(symbol::Symbol s) {
  auto* h = new mxl_symbol;
  h->sym = std::move(s);
  live_handles().fetch_add(1, std::memory_order_relaxed);
  return h;
}

}  // namespace capi
}  // namespace mxl
