// The process-wide engine: chosen from the environment on first use,
// switchable with set_type.  Each kind is created once and never destroyed:
// storage chunks may be released (through delete_var) during static
// destruction, and other threads may still hold a pointer from get().
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "common/error.h"
#include "engine/engine.h"

namespace mxl {
namespace engine {
namespace {

enum EngineKind { kNaive = 0, kThreaded = 1, kNumKinds = 2 };

std::atomic<Engine*> g_current{nullptr};
std::mutex g_switch_mu;
Engine* g_instances[kNumKinds] = {};  // guarded by g_switch_mu

bool parse_kind(const std::string& name, EngineKind* kind) {
  if (name == "NaiveEngine") *kind = kNaive;
  else if (name == "ThreadedEngine" || name == "ThreadedEnginePerDevice") *kind = kThreaded;
  else return false;
  return true;
}

EngineKind kind_from_env() {
  for (const char* var : {"MXNET_ENGINE_TYPE", "MXL_ENGINE_TYPE"}) {
    const char* value = std::getenv(var);
    if (!value || !*value) continue;
    EngineKind kind;
    if (parse_kind(value, &kind)) return kind;
    // get() cannot fail (every array needs it), so a typo falls back loudly.
    std::fprintf(stderr,
                 "mxlite: unknown engine type '%s' in %s (expected NaiveEngine or "
                 "ThreadedEngine); using ThreadedEngine\n",
                 value, var);
    return kThreaded;
  }
  return kThreaded;
}

Engine* instance_locked(EngineKind kind) {
  if (!g_instances[kind])
    g_instances[kind] = (kind == kNaive ? create_naive() : create_threaded()).release();
  return g_instances[kind];
}

Engine* current_locked() {
  Engine* e = g_current.load(std::memory_order_acquire);
  if (!e) {
    e = instance_locked(kind_from_env());
    g_current.store(e, std::memory_order_release);
  }
  return e;
}

}  // namespace

Engine* get() {
  Engine* e = g_current.load(std::memory_order_acquire);
  if (e) return e;
  std::lock_guard<std::mutex> lock(g_switch_mu);
  return current_locked();
}

void set_type(const std::string& name) {
  EngineKind kind;
  if (!parse_kind(name, &kind))
    throw_error(MXL_ERR_KEY, "unknown engine type '", name,
                "'; expected NaiveEngine or ThreadedEngine");
  std::lock_guard<std::mutex> lock(g_switch_mu);
  Engine* current = current_locked();
  // Throws (and does not switch) if a pending op failed; the error is then
  // reported and a retry succeeds.
  current->wait_all();
  g_current.store(instance_locked(kind), std::memory_order_release);
}

}  // namespace engine
}  // namespace mxl
