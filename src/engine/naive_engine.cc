// NaiveEngine: every op runs on the caller's thread when it is pushed.  For
// debugging: errors surface at the push that caused them (and, as with the
// threaded engine, at the next sync point), and stack traces are the
// caller's.  Poisoning follows the same rules as ThreadedEngine.
//
// Ops are serialized by one recursive mutex: with no dependency tracking,
// two threads writing one array (cffi releases the GIL during a call) would
// otherwise race.  Recursive, because an op may push others (a storage chunk
// freed inside an op deletes its Var).
#include <exception>
#include <mutex>

#include "engine/engine.h"
#include "engine/op_error.h"
#include "engine/var.h"

namespace mxl {
namespace engine {
namespace {

std::exception_ptr poison_of(Var* v) {
  if (!v) return nullptr;
  v->lock.lock();
  std::exception_ptr error = v->error;
  v->lock.unlock();
  return error;
}

std::exception_ptr first_poison(Var* const* vars, int n) {
  for (int i = 0; i < n; ++i)
    if (std::exception_ptr e = poison_of(vars[i])) return e;
  return nullptr;
}

// The outcome of a write: an error poisons, success cures.
void record_outcome(Var* const* writes, int n, const std::exception_ptr& error) {
  for (int i = 0; i < n; ++i) {
    Var* v = writes[i];
    if (!v) continue;
    v->lock.lock();
    if (error || v->error) v->error = error;
    v->lock.unlock();
  }
}

class NaiveEngine final : public Engine {
 public:
  Var* new_var() override { return new Var(); }

  void delete_var(Var* v, OpFn on_delete) override {
    std::lock_guard<std::recursive_mutex> lock(run_mu_);
    try {
      if (on_delete) on_delete();
    } catch (...) {
      errors_.add(wrap_op_error(std::current_exception(), "delete_var"));
    }
    delete v;
  }

  void push(OpFn fn, Var* const* reads, int nreads, Var* const* writes, int nwrites,
            const char* name) override {
    std::lock_guard<std::recursive_mutex> lock(run_mu_);
    std::exception_ptr error = first_poison(reads, nreads);
    bool raised_here = false;
    if (!error) {
      try {
        if (fn) fn();
      } catch (...) {
        error = wrap_op_error(std::current_exception(), name);
        raised_here = true;
      }
    }
    if (raised_here) errors_.add(error);
    record_outcome(writes, nwrites, error);
  }

  // Holds run_mu_ from a successful begin_inline to its end_inline.
  bool idle() const override { return true; }
  bool begin_inline(Var* const* reads, int nreads, Var* const*, int) override {
    run_mu_.lock();
    if (!first_poison(reads, nreads)) return true;
    run_mu_.unlock();
    return false;
  }

  void end_inline(Var* const*, int, Var* const* writes, int nwrites, std::exception_ptr error,
                  const char* name) override {
    std::exception_ptr wrapped = error ? wrap_op_error(error, name) : nullptr;
    if (wrapped) errors_.add(wrapped);
    record_outcome(writes, nwrites, wrapped);
    run_mu_.unlock();
  }

  void wait_for_var(Var* v, bool) override { raise_at_sync_point(errors_, poison_of(v)); }

  void wait_all() override {
    if (std::exception_ptr first = errors_.take_first()) std::rethrow_exception(first);
  }

  const char* type_name() const override { return "NaiveEngine"; }

 private:
  ErrorLog errors_;
  std::recursive_mutex run_mu_;
};

}  // namespace

std::unique_ptr<Engine> create_naive() { return std::make_unique<NaiveEngine>(); }

}  // namespace engine
}  // namespace mxl
