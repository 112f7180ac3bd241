// ThreadedEngine's bookkeeping records: the op, the list of ops ready to run,
// and what a thread blocked in wait_for_var sleeps on.  Private to src/engine.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>

#include "engine/engine.h"
#include "engine/var.h"

namespace mxl {
namespace engine {

enum class OpKind : uint8_t {
  kCompute,  // push: skipped if a read Var is poisoned, records its outcome on its writes
  kDelete,   // delete_var: runs on_delete whatever the poison, then frees the Var
  kSync,     // wait_for_var: wakes the waiting thread as soon as it is granted
};

// Spin this long before sleeping in a sync point: a tiny op on a worker
// finishes within microseconds, sooner than a futex sleep and wake-up.
constexpr auto kSyncSpin = std::chrono::microseconds(10);

template <typename Done>
inline bool spin_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + kSyncSpin;
  for (int i = 1;; ++i) {
    if (done()) return true;
    cpu_relax();
    if (i % 32 == 0 && std::chrono::steady_clock::now() > deadline) return false;
  }
}

// The thread blocked in wait_for_var, woken by the op standing in for it.
class SyncWaiter {
 public:
  void signal(std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mu_);
    error_ = std::move(error);
    done_.store(true, std::memory_order_release);
    cv_.notify_one();
  }
  std::exception_ptr wait() {
    spin_until([&] { return done_.load(std::memory_order_acquire); });
    // Taken even when the spin succeeded: signal() may still hold the mutex,
    // and *this dies when we return.
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_.load(std::memory_order_relaxed); });
    return std::move(error_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> done_{false};
  std::exception_ptr error_;
};

struct ThreadedOp {
  ThreadedOp(OpKind k, OpFn f, const char* n) : fn(std::move(f)), name(n), kind(k) {}
  ThreadedOp(const ThreadedOp&) = delete;
  ThreadedOp& operator=(const ThreadedOp&) = delete;

  OpFn fn;
  const char* name;
  OpKind kind;
  std::atomic<int> missing_grants{0};
  ThreadedOp* next_ready = nullptr;  // in a ReadyList or the worker queue
  SyncWaiter* waiter = nullptr;      // kSync only
  int nlinks = 0;
  VarLink* links = inline_links;
  VarLink inline_links[4];
  std::unique_ptr<VarLink[]> heap_links;
};

// Runnable ops, linked through ThreadedOp::next_ready (an op becomes runnable
// exactly once, so one link field suffices and nothing is allocated).
struct ReadyList {
  ThreadedOp* head = nullptr;
  ThreadedOp* tail = nullptr;
  int size = 0;

  void push(ThreadedOp* op) {
    op->next_ready = nullptr;
    if (tail) tail->next_ready = op;
    else head = op;
    tail = op;
    ++size;
  }
  void append(ReadyList* other) {
    if (!other->head) return;
    if (tail) tail->next_ready = other->head;
    else head = other->head;
    tail = other->tail;
    size += other->size;
    *other = ReadyList();
  }
  ThreadedOp* pop() {
    ThreadedOp* op = head;
    if (op) {
      head = op->next_ready;
      if (!head) tail = nullptr;
      --size;
    }
    return op;
  }
};

}  // namespace engine
}  // namespace mxl
