// Per-thread reusable scratch objects.  The eager invoke path needs a dozen
// small vectors per call; taking them from a per-thread free list keeps
// their capacity, so a steady stream of tiny ops does no heap allocation.
// Leases nest safely (a nested call simply takes another object).
#pragma once
#include <memory>
#include <vector>

namespace mxl {

template <typename T>
class ScratchLease {
 public:
  ScratchLease() {
    auto& pool = free_list();
    if (pool.empty()) {
      obj_.reset(new T());
    } else {
      obj_ = std::move(pool.back());
      pool.pop_back();
    }
  }
  ~ScratchLease() {
    obj_->clear();
    free_list().push_back(std::move(obj_));
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  T* operator->() { return obj_.get(); }
  T& operator*() { return *obj_; }

 private:
  static std::vector<std::unique_ptr<T>>& free_list() {
    thread_local std::vector<std::unique_ptr<T>> list;
    return list;
  }
  std::unique_ptr<T> obj_;
};

}  // namespace mxl
