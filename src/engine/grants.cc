#include "engine/grants.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <vector>

namespace mxl {
namespace engine {
namespace {

// Above this many Vars, links are deduplicated by sorting instead.
constexpr int kQuadraticDedupLimit = 32;

}  // namespace

void build_links(ThreadedOp* op, Var* const* reads, int nreads, Var* const* writes,
                 int nwrites) {
  const int capacity = nreads + nwrites;
  if (capacity > static_cast<int>(std::size(op->inline_links))) {
    op->heap_links.reset(new VarLink[capacity]);
    op->links = op->heap_links.get();
  }
  if (capacity <= kQuadraticDedupLimit) {
    for_each_distinct_var(reads, nreads, writes, nwrites, [&](Var* v, bool write, bool read) {
      op->links[op->nlinks++] = VarLink{v, op, nullptr, write, read};
      return true;
    });
    return;
  }
  std::vector<VarLink> all;
  all.reserve(capacity);
  for (int i = 0; i < nwrites; ++i)
    if (writes[i]) all.push_back(VarLink{writes[i], op, nullptr, true, false});
  for (int i = 0; i < nreads; ++i)
    if (reads[i]) all.push_back(VarLink{reads[i], op, nullptr, false, true});
  std::sort(all.begin(), all.end(),
            [](const VarLink& a, const VarLink& b) { return std::less<Var*>()(a.var, b.var); });
  for (const VarLink& l : all) {
    VarLink* last = op->nlinks ? &op->links[op->nlinks - 1] : nullptr;
    if (last && last->var == l.var) {
      last->write |= l.write;
      last->read_listed |= l.read_listed;
    } else {
      op->links[op->nlinks++] = l;
    }
  }
}

VarLink* grant_waiting(Var* v) {
  VarLink* first = nullptr;
  VarLink** tail = &first;
  while (VarLink* l = v->head) {
    if (l->write ? (v->write_granted || v->running_reads > 0) : v->write_granted) break;
    if (l->write) v->write_granted = true;
    else ++v->running_reads;
    v->head = l->next;
    if (!v->head) v->tail = nullptr;
    l->next = nullptr;
    *tail = l;
    tail = &l->next;
    if (l->write) break;  // nothing can share the Var with a writer
  }
  return first;
}

void collect_runnable(VarLink* granted, ReadyList* ready) {
  while (granted) {
    // Read before the decrement: once it is done another thread may run and
    // free the op, and this link with it.
    VarLink* next = granted->next;
    ThreadedOp* op = granted->op;
    if (op->missing_grants.fetch_sub(1, std::memory_order_acq_rel) == 1) ready->push(op);
    granted = next;
  }
}

}  // namespace engine
}  // namespace mxl
