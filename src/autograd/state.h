// Autograd's per-thread switches (MXNet semantics: each thread starts not
// recording and in predict mode).
#pragma once

namespace mxl {
namespace autograd {

struct ThreadState {
  bool recording = false;
  bool training = false;
};

inline ThreadState& thread_state() {
  thread_local ThreadState s;
  return s;
}

}  // namespace autograd
}  // namespace mxl
