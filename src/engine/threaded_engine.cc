// ThreadedEngine: mutation-aware dataflow scheduling on a worker pool.
//
// Each op carries one VarLink per distinct Var it touches and a count of the
// links not yet granted.  A Var grants reads to consecutive readers while no
// write is ahead of them, and a write once every earlier op on it finished;
// the op that receives its last grant is runnable.  There is no global lock on
// the paths every op takes: each Var has its own spin lock, and grants are
// handed on by whichever thread returns them (a worker, or the caller of
// end_inline).
#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/error.h"
#include "engine/engine.h"
#include "engine/grants.h"
#include "engine/op_error.h"
#include "engine/threaded_op.h"
#include "engine/var.h"

namespace mxl {
namespace engine {
namespace {

// begin_inline declines ops with more Vars than this (they are not tiny).
constexpr int kMaxInlineVars = 16;

int workers_from_env() {
  for (const char* name : {"MXNET_CPU_WORKER_NTHREADS", "MXL_CPU_WORKER_NTHREADS"}) {
    const char* s = std::getenv(name);
    if (!s || !*s) continue;
    char* end = nullptr;
    long n = std::strtol(s, &end, 10);
    if (*end == '\0' && n >= 1) return static_cast<int>(std::min(n, 256L));
  }
  return 1;
}

class ThreadedEngine;
// The engine whose worker this thread is (sync points there would deadlock).
thread_local const ThreadedEngine* tls_worker_of = nullptr;

class ThreadedEngine final : public Engine {
 public:
  explicit ThreadedEngine(int nworkers);
  ~ThreadedEngine() override;

  Var* new_var() override { return new Var(); }
  void delete_var(Var* v, OpFn on_delete) override;
  void push(OpFn fn, Var* const* reads, int nreads, Var* const* writes, int nwrites,
            const char* name) override;
  bool begin_inline(Var* const* reads, int nreads, Var* const* writes, int nwrites) override;
  void end_inline(Var* const* reads, int nreads, Var* const* writes, int nwrites,
                  std::exception_ptr error, const char* name) override;
  void wait_for_var(Var* v, bool for_write) override;
  void wait_all() override;
  const char* type_name() const override { return "ThreadedEngine"; }
  bool idle() const override { return pending_.load(std::memory_order_acquire) == 0; }

  // fork(): the child has none of our worker threads (see register_engine).
  void prepare_fork();
  void resume_after_fork(bool in_child);

 private:
  void submit(ThreadedOp* op);
  void execute(ThreadedOp* op, ReadyList* ready);
  void finish_delete(ThreadedOp* op, ReadyList* ready);
  void complete_sync(ThreadedOp* op, ReadyList* ready);
  void release(Var* v, bool write, bool record_outcome, const std::exception_ptr& error,
               ReadyList* ready);
  void dispatch(ReadyList* ready, ThreadedOp** keep_for_caller);
  void enqueue(ReadyList* batch);
  void start_workers_locked();
  void worker_loop();
  void op_finished();
  void wait_until_idle();
  void check_not_in_op(const char* what) const;

  const int nworkers_;
  ErrorLog errors_;

  // Pushed ops (compute and delete) not yet finished; wait_all waits for 0.
  std::atomic<int64_t> pending_{0};
  std::mutex idle_mu_;
  std::condition_variable idle_cv_;

  // Ops with several Vars join the Var queues under this lock, so every Var
  // sees them in one global order; otherwise two threads pushing conflicting
  // ops could each get one Var first and wait for the other forever.  Ops on
  // one Var cannot close such a cycle and skip it.
  std::mutex push_mu_;

  // Runnable ops waiting for a worker, linked through next_ready.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  ReadyList queue_;
  bool stopping_ = false;
  bool workers_started_ = false;  // started on first use, and again after fork
  std::vector<std::thread> workers_;
};

// ---- fork support: every live ThreadedEngine, for the pthread_atfork hooks.

std::mutex& live_engines_mu() {
  static std::mutex* mu = new std::mutex();  // never destroyed: used at exit
  return *mu;
}
std::vector<ThreadedEngine*>& live_engines() {
  static auto* engines = new std::vector<ThreadedEngine*>();
  return *engines;
}

void before_fork() {
  live_engines_mu().lock();
  for (ThreadedEngine* e : live_engines()) e->prepare_fork();
}
void after_fork_in_parent() {
  for (ThreadedEngine* e : live_engines()) e->resume_after_fork(false);
  live_engines_mu().unlock();
}
void after_fork_in_child() {
  for (ThreadedEngine* e : live_engines()) e->resume_after_fork(true);
  live_engines_mu().unlock();
}

void register_engine(ThreadedEngine* e) {
  static std::once_flag hooks_installed;
  std::call_once(hooks_installed,
                 [] { pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child); });
  std::lock_guard<std::mutex> lock(live_engines_mu());
  live_engines().push_back(e);
}

void unregister_engine(ThreadedEngine* e) {
  std::lock_guard<std::mutex> lock(live_engines_mu());
  auto& all = live_engines();
  all.erase(std::remove(all.begin(), all.end(), e), all.end());
}

// ---- ThreadedEngine

ThreadedEngine::ThreadedEngine(int nworkers)
    : nworkers_(nworkers > 0 ? nworkers : workers_from_env()) {
  register_engine(this);
}

ThreadedEngine::~ThreadedEngine() {
  unregister_engine(this);
  wait_until_idle();
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadedEngine::push(OpFn fn, Var* const* reads, int nreads, Var* const* writes,
                          int nwrites, const char* name) {
  auto* op = new ThreadedOp(OpKind::kCompute, std::move(fn), name);
  build_links(op, reads, nreads, writes, nwrites);
  pending_.fetch_add(1, std::memory_order_relaxed);
  submit(op);
}

void ThreadedEngine::delete_var(Var* v, OpFn on_delete) {
  bool idle = true;
  if (v) {
    v->lock.lock();
    idle = v->free_for_write();
    v->lock.unlock();
  }
  if (idle) {  // common case: nothing pending, free it here without a hand-off
    try {
      if (on_delete) on_delete();
    } catch (...) {
      errors_.add(wrap_op_error(std::current_exception(), "delete_var"));
    }
    delete v;
    return;
  }
  auto* op = new ThreadedOp(OpKind::kDelete, std::move(on_delete), "delete_var");
  op->links[0] = VarLink{v, op, nullptr, true, false};
  op->nlinks = 1;
  pending_.fetch_add(1, std::memory_order_relaxed);
  submit(op);
}

void ThreadedEngine::submit(ThreadedOp* op) {
  const int n = op->nlinks;
  // One extra count keeps the op from becoming runnable while we are still
  // linking it into later Vars.
  op->missing_grants.store(n + 1, std::memory_order_relaxed);
  int granted = 0;
  {
    std::unique_lock<std::mutex> order_lock(push_mu_, std::defer_lock);
    if (n > 1) order_lock.lock();
    for (int i = 0; i < n; ++i) {
      VarLink* l = &op->links[i];
      Var* v = l->var;
      v->lock.lock();
      if (try_grant(v, l->write)) ++granted;
      else v->enqueue(l);
      v->lock.unlock();
    }
  }
  if (op->missing_grants.fetch_sub(granted + 1, std::memory_order_acq_rel) == granted + 1) {
    ReadyList ready;
    ready.push(op);
    dispatch(&ready, nullptr);
  }
}

void ThreadedEngine::release(Var* v, bool write, bool record_outcome,
                             const std::exception_ptr& error, ReadyList* ready) {
  v->lock.lock();
  if (write) {
    // A failed or skipped write poisons v; a successful one cures it.
    if (record_outcome && (error || v->error)) v->error = error;
    v->write_granted = false;
  } else {
    --v->running_reads;
  }
  VarLink* granted = v->head ? grant_waiting(v) : nullptr;
  v->lock.unlock();
  collect_runnable(granted, ready);
}

void ThreadedEngine::execute(ThreadedOp* op, ReadyList* ready) {
  std::exception_ptr error;
  if (op->kind == OpKind::kCompute) {
    for (int i = 0; i < op->nlinks && !error; ++i) {
      const VarLink& l = op->links[i];
      if (!l.read_listed) continue;
      l.var->lock.lock();
      error = l.var->error;  // inherited as is: the original op's name stays in it
      l.var->lock.unlock();
    }
  }
  bool raised_here = false;
  if (!error) {
    try {
      if (op->fn) op->fn();
    } catch (...) {
      error = wrap_op_error(std::current_exception(), op->name);
      raised_here = true;
    }
  }
  // The closure may hold the last reference to arrays; dropping it pushes
  // their deletions, which must count as pending before this op stops
  // counting, so wait_all also covers them.
  op->fn = nullptr;
  // Logged before any Var shows the poison, so a sync point that throws it
  // can always take it off the log.
  if (raised_here) errors_.add(error);

  if (op->kind == OpKind::kDelete) {
    finish_delete(op, ready);
  } else {
    for (int i = 0; i < op->nlinks; ++i)
      release(op->links[i].var, op->links[i].write, true, error, ready);
  }
  delete op;
  op_finished();
}

void ThreadedEngine::finish_delete(ThreadedOp* op, ReadyList* ready) {
  Var* v = op->links[0].var;
  v->lock.lock();
  v->write_granted = false;
  const bool unused = v->head == nullptr && v->running_reads == 0;
  // Ops pushed on a Var after its deletion are a caller bug; let them run
  // rather than hang, and leak the Var instead of freeing it under them.
  VarLink* granted = unused ? nullptr : grant_waiting(v);
  v->lock.unlock();
  if (unused) delete v;
  collect_runnable(granted, ready);
}

void ThreadedEngine::complete_sync(ThreadedOp* op, ReadyList* ready) {
  const VarLink& l = op->links[0];
  Var* v = l.var;
  v->lock.lock();
  std::exception_ptr error = v->error;  // as of this point in v's op order
  if (l.write) v->write_granted = false;
  else --v->running_reads;
  VarLink* granted = v->head ? grant_waiting(v) : nullptr;
  v->lock.unlock();
  collect_runnable(granted, ready);
  SyncWaiter* waiter = op->waiter;
  delete op;
  waiter->signal(std::move(error));
}

void ThreadedEngine::dispatch(ReadyList* ready, ThreadedOp** keep_for_caller) {
  ReadyList batch;
  while (ThreadedOp* op = ready->pop()) {
    if (op->kind == OpKind::kSync) {
      complete_sync(op, ready);  // trivial: do it here, no worker needed
    } else if (keep_for_caller && !*keep_for_caller) {
      *keep_for_caller = op;
    } else {
      batch.push(op);
    }
  }
  if (batch.head) enqueue(&batch);
}

void ThreadedEngine::enqueue(ReadyList* batch) {
  const int n = batch->size;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (!workers_started_) start_workers_locked();
    queue_.append(batch);
  }
  if (n == 1) queue_cv_.notify_one();
  else queue_cv_.notify_all();
}

void ThreadedEngine::start_workers_locked() {
  workers_.reserve(workers_.size() + nworkers_);
  for (int i = 0; i < nworkers_; ++i) workers_.emplace_back([this] { worker_loop(); });
  workers_started_ = true;
}

void ThreadedEngine::worker_loop() {
  tls_worker_of = this;
  for (;;) {
    ThreadedOp* op;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || queue_.head; });
      op = queue_.pop();
      if (!op) return;  // stopping and drained
    }
    // Run a chain of dependent ops on this thread without a hand-off; other
    // ops made runnable go to the shared queue.
    while (op) {
      ReadyList ready;
      execute(op, &ready);
      op = nullptr;
      dispatch(&ready, &op);
    }
  }
}

void ThreadedEngine::op_finished() {
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    // Taking the mutex orders this notify after a waiter's predicate check,
    // so the wake-up cannot be lost.
    std::lock_guard<std::mutex> lock(idle_mu_);
    idle_cv_.notify_all();
  }
}

void ThreadedEngine::wait_until_idle() {
  auto idle = [&] { return pending_.load(std::memory_order_acquire) == 0; };
  if (spin_until(idle)) return;
  std::unique_lock<std::mutex> lock(idle_mu_);
  idle_cv_.wait(lock, idle);
}

void ThreadedEngine::check_not_in_op(const char* what) const {
  if (tls_worker_of == this)
    throw_error(MXL_ERR_RUNTIME, what,
                " was called from inside an engine operation; it would wait for itself");
}

void ThreadedEngine::wait_for_var(Var* v, bool for_write) {
  if (!v) return;
  v->lock.lock();
  const bool settled = for_write ? v->free_for_write() : v->free_for_read();
  std::exception_ptr error = settled ? v->error : nullptr;
  v->lock.unlock();
  if (settled) return raise_at_sync_point(errors_, error);

  check_not_in_op("wait_for_var");
  SyncWaiter waiter;
  auto* op = new ThreadedOp(OpKind::kSync, nullptr, "wait_for_var");
  op->links[0] = VarLink{v, op, nullptr, for_write, false};
  op->nlinks = 1;
  op->waiter = &waiter;
  submit(op);
  raise_at_sync_point(errors_, waiter.wait());
}

void ThreadedEngine::wait_all() {
  check_not_in_op("wait_all");
  wait_until_idle();
  if (std::exception_ptr first = errors_.take_first()) std::rethrow_exception(first);
}

bool ThreadedEngine::begin_inline(Var* const* reads, int nreads, Var* const* writes,
                                  int nwrites) {
  if (nreads + nwrites > kMaxInlineVars) return false;
  int acquired = 0;
  const bool all_free =
      for_each_distinct_var(reads, nreads, writes, nwrites, [&](Var* v, bool write, bool read) {
        v->lock.lock();
        const bool ok = !(read && v->error) && try_grant(v, write);
        v->lock.unlock();
        acquired += ok;
        return ok;
      });
  if (all_free) {
    // Counted like a pushed op, so wait_all on another thread waits for it.
    pending_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  // Give back what we took, in the same order; ops may have queued meanwhile.
  ReadyList ready;
  for_each_distinct_var(reads, nreads, writes, nwrites, [&](Var* v, bool write, bool) {
    if (acquired == 0) return false;
    --acquired;
    release(v, write, false, nullptr, &ready);
    return true;
  });
  dispatch(&ready, nullptr);
  return false;
}

void ThreadedEngine::end_inline(Var* const* reads, int nreads, Var* const* writes, int nwrites,
                                std::exception_ptr error, const char* name) {
  std::exception_ptr wrapped = error ? wrap_op_error(error, name) : nullptr;
  if (wrapped) errors_.add(wrapped);
  ReadyList ready;
  for_each_distinct_var(reads, nreads, writes, nwrites, [&](Var* v, bool write, bool) {
    release(v, write, true, wrapped, &ready);
    return true;
  });
  if (ready.head) dispatch(&ready, nullptr);
  op_finished();
}

void ThreadedEngine::prepare_fork() {
  // Finish in-flight work so the child does not inherit ops that a worker
  // (absent in the child) was running.
  if (tls_worker_of != this) wait_until_idle();
  push_mu_.lock();
  queue_mu_.lock();
}

void ThreadedEngine::resume_after_fork(bool in_child) {
  if (in_child) {
    // The worker threads do not exist here.  Their std::thread objects can
    // be neither joined nor destroyed while joinable, so they are leaked;
    // fresh workers start with the next runnable op.
    new std::vector<std::thread>(std::move(workers_));
    workers_.clear();
    workers_started_ = false;
  }
  queue_mu_.unlock();
  push_mu_.unlock();
}

}  // namespace

std::unique_ptr<Engine> create_threaded(int nworkers) {
  return std::make_unique<ThreadedEngine>(nworkers);
}

}  // namespace engine
}  // namespace mxl
