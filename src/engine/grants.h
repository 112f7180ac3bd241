// The grant rules of ThreadedEngine: how an op's Var lists become its links,
// and how a Var hands grants to the ops queued on it.  Private to src/engine.
#pragma once
#include "engine/threaded_op.h"
#include "engine/var.h"

namespace mxl {
namespace engine {

inline bool contains(Var* const* list, int n, const Var* v) {
  for (int i = 0; i < n; ++i)
    if (list[i] == v) return true;
  return false;
}

// Calls visit(var, write, read_listed) once per distinct non-null Var: the
// written ones first, then the read-only ones, each in list order.  Stops at
// the first visit returning false; returns whether it went through.  Quadratic,
// which is cheapest for the few Vars of a typical op.
template <typename Visit>
inline bool for_each_distinct_var(Var* const* reads, int nreads, Var* const* writes,
                                  int nwrites, Visit&& visit) {
  for (int i = 0; i < nwrites; ++i) {
    Var* v = writes[i];
    if (!v || contains(writes, i, v)) continue;
    if (!visit(v, true, contains(reads, nreads, v))) return false;
  }
  for (int i = 0; i < nreads; ++i) {
    Var* v = reads[i];
    if (!v || contains(reads, i, v) || contains(writes, nwrites, v)) continue;
    if (!visit(v, false, true)) return false;
  }
  return true;
}

// Fills op->links with one link per distinct Var; a Var both read and written
// orders as a write and keeps its poison check.
void build_links(ThreadedOp* op, Var* const* reads, int nreads, Var* const* writes,
                 int nwrites);

// Takes a write or read grant on v if it is free now (v->lock held).
inline bool try_grant(Var* v, bool write) {
  if (write ? !v->free_for_write() : !v->free_for_read()) return false;
  if (write) v->write_granted = true;
  else ++v->running_reads;
  return true;
}

// Grants v to the ops at the head of its queue that may start now (v->lock
// held).  Returns their links chained through `next`.
VarLink* grant_waiting(Var* v);

// Counts the grants in `granted` against their ops (call after releasing the
// Var's lock); ops that got their last grant go to `ready`.
void collect_runnable(VarLink* granted, ReadyList* ready);

}  // namespace engine
}  // namespace mxl
