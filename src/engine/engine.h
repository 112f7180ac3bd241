// The dependency engine (DESIGN.md section 3).
//
// Every storage chunk owns a Var.  An op is pushed with the Vars it reads and
// the Vars it writes; writes to one Var run in push order, reads between two
// writes may run concurrently, independent ops run in parallel on a worker
// pool.  An op that throws poisons the Vars it writes: a later op that reads
// a poisoned Var (it is listed in `reads`, whether or not it is also written)
// is skipped and poisons its own writes with the same error; an op that only
// writes a poisoned Var runs and, on success, clears the poison.  The error is
// re-raised at the next sync point on an affected Var and by wait_all.
//
// Two implementations share the Var type, so the engine can be switched at
// runtime after wait_all: ThreadedEngine (default) and NaiveEngine (runs each
// op synchronously at push, for debugging).
#pragma once
#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace mxl {
namespace engine {

struct Var;  // defined by the engine implementation (engine/var.h)

using OpFn = std::function<void()>;

class Engine {
 public:
  virtual ~Engine() = default;

  virtual Var* new_var() = 0;
  // Frees v after every op pushed on it so far has finished, then calls
  // on_delete (used to return the chunk's memory to the pool).  Runs even if
  // v is poisoned.
  virtual void delete_var(Var* v, OpFn on_delete) = 0;

  // Schedule fn.  reads and writes may overlap or repeat: for ordering, a Var
  // that is both read and written counts as written.  name must outlive the op (op names
  // are static) and is put into error messages.
  virtual void push(OpFn fn, Var* const* reads, int nreads, Var* const* writes,
                    int nwrites, const char* name) = 0;

  // Hot path for tiny ops: if no Var has pending work or errors, mark them as
  // in use and return true; the caller runs the op itself on this thread (no
  // thread hand-off) and then calls end_inline with the exception it caught
  // (or nullptr).  Returns false when the caller must push instead.  Until
  // end_inline the op counts as pending, so wait_all elsewhere waits for it.
  virtual bool begin_inline(Var* const* reads, int nreads, Var* const* writes,
                            int nwrites) = 0;
  virtual void end_inline(Var* const* reads, int nreads, Var* const* writes, int nwrites,
                          std::exception_ptr error, const char* name) = 0;
  // No op is queued or running (a hint: another thread may push at once).
  // The invoke path then runs even large ops inline: a hand-off to a worker
  // would only add latency and a second thread competing for the cores.
  virtual bool idle() const = 0;

  // Block until pending writes (for_write: also reads) of v finished.  Throws
  // the error poisoning v, if any.  The Var stays poisoned until a later op
  // writes it successfully.
  virtual void wait_for_var(Var* v, bool for_write) = 0;

  // Block until every pushed op finished; throws the first error not yet
  // reported by a sync point and clears the list.
  virtual void wait_all() = 0;

  virtual const char* type_name() const = 0;
};

// nworkers: size of the worker pool (0 = from MXNET_CPU_WORKER_NTHREADS /
// MXL_CPU_WORKER_NTHREADS, default 1; kernels parallelise inside with OpenMP).
std::unique_ptr<Engine> create_threaded(int nworkers = 0);
std::unique_ptr<Engine> create_naive();

// The process-wide engine, chosen at load from MXNET_ENGINE_TYPE or
// MXL_ENGINE_TYPE ("ThreadedEngine", "ThreadedEnginePerDevice" or
// "NaiveEngine").
Engine* get();
// Waits for all work on the current engine, then switches.  Throws
// Error(MXL_ERR_KEY) for an unknown name.
void set_type(const std::string& name);

}  // namespace engine
}  // namespace mxl
