// The engine variable: the synchronisation point every storage chunk owns.
//
// Both engines use this one type, so the process engine can be switched at
// runtime (after wait_all) without touching existing arrays.  NaiveEngine only
// uses `error`; ThreadedEngine also keeps the grant state and the queue of
// ops waiting for this Var.
#pragma once
#include <atomic>
#include <exception>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace mxl {
namespace engine {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// The critical sections on a Var are a handful of loads and stores, so a
// spinning lock beats a mutex (which may park the thread) and keeps the
// inline-dispatch path short.  After a brief spin we yield, because with more
// runnable threads than cores the holder may have been preempted.
class SpinLock {
 public:
  void lock() noexcept {
    while (locked_.exchange(true, std::memory_order_acquire)) {
      for (int spins = 0; locked_.load(std::memory_order_relaxed); ++spins) {
        if (spins < 64) cpu_relax();
        else std::this_thread::yield();
      }
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

struct Var;
struct ThreadedOp;  // private to threaded_engine.cc

// One (op, Var) dependency of a ThreadedEngine op.  While the op waits for
// the Var it sits in the Var's queue through `next`.
struct VarLink {
  Var* var = nullptr;
  ThreadedOp* op = nullptr;
  VarLink* next = nullptr;
  bool write = false;        // orders as a write (the Var is in `writes`)
  bool read_listed = false;  // the Var is in `reads`: a poison on it skips the op
};

struct Var {
  SpinLock lock;
  // Everything below is guarded by `lock`.

  // Grants handed out and not yet returned.  Either one writer or any number
  // of readers hold the Var.
  int running_reads = 0;
  bool write_granted = false;
  // Ops waiting for a grant, in push order.  Invariant: when the queue is not
  // empty its head is blocked (a write waiting for running reads or a write
  // to finish, or a read behind a granted write), so any newcomer must queue.
  VarLink* head = nullptr;
  VarLink* tail = nullptr;
  // The error of the last write that failed (or was skipped); cleared by the
  // next successful write.
  std::exception_ptr error;

  // A new read may start now: no write holds the Var or waits for it.
  bool free_for_read() const { return !write_granted && head == nullptr; }
  // A new write may start now: nothing holds or waits for the Var.
  bool free_for_write() const { return free_for_read() && running_reads == 0; }

  void enqueue(VarLink* link) {
    link->next = nullptr;
    if (tail) tail->next = link;
    else head = link;
    tail = link;
  }
};

}  // namespace engine
}  // namespace mxl
