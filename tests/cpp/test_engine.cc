// The dependency engine: ordering under random load (checked against running
// the same ops one by one), concurrent readers, error poisoning, deferred
// deletion, the inline path, NaiveEngine and switching the process engine.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "engine/engine.h"

namespace mxl {
namespace engine {
namespace {

using namespace std::chrono_literals;

// Fails the whole binary instead of hanging when a test deadlocks.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit)
      : name_(::testing::UnitTest::GetInstance()->current_test_info()->name()),
        thread_([this, limit] {
          std::unique_lock<std::mutex> lock(mu_);
          if (!cv_.wait_for(lock, limit, [&] { return done_; })) {
            std::fprintf(stderr, "FATAL: test %s made no progress in %lld s (deadlock?)\n",
                         name_.c_str(), static_cast<long long>(limit.count()));
            std::fflush(stderr);
            std::_Exit(1);
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Holds ops back until the test opens it (bounded, so a bug cannot hang here).
class Gate {
 public:
  void open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

struct Caught {
  bool thrown = false;
  int kind = 0;
  std::string message;
};

template <typename F>
Caught catch_error(F&& f) {
  Caught c;
  try {
    f();
  } catch (const Error& e) {
    c.thrown = true;
    c.kind = e.kind();
    c.message = e.what();
  }
  return c;
}

std::unique_ptr<Engine> make_engine(const std::string& kind, int nworkers = 2) {
  return kind == "naive" ? create_naive() : create_threaded(nworkers);
}

// ---------------------------------------------------------------- stress

constexpr int kVars = 5;
constexpr int kCells = 3;
using Cells = uint64_t[kVars][kCells];

struct OpSpec {
  std::vector<int> reads, writes;  // may repeat and overlap
  uint64_t salt = 0;
  int delay = 0;  // 0 none, 1 yield, 2 short sleep
};

// What the op does to the cells: the sequential definition both the engine
// run and the oracle follow.
void apply(const OpSpec& op, Cells& cells) {
  uint64_t s = op.salt;
  for (int r : op.reads)
    for (int c = 0; c < kCells; ++c) s = s * 31 + cells[r][c];
  for (int w : op.writes)
    for (int c = 0; c < kCells; ++c) cells[w][c] = cells[w][c] * 1000003 + s + c;
}

// Detects two ops holding a Var in conflicting modes at once.
struct AccessChecker {
  std::atomic<int> readers[kVars] = {};
  std::atomic<int> writers[kVars] = {};
  std::atomic<int> violations{0};

  static bool in(const std::vector<int>& list, int v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  }
  void enter(const OpSpec& op) {
    for (int v = 0; v < kVars; ++v) {
      if (in(op.writes, v)) {
        if (writers[v].fetch_add(1) != 0 || readers[v].load() != 0) ++violations;
      } else if (in(op.reads, v)) {
        readers[v].fetch_add(1);
        if (writers[v].load() != 0) ++violations;
      }
    }
  }
  void leave(const OpSpec& op) {
    for (int v = 0; v < kVars; ++v) {
      if (in(op.writes, v)) writers[v].fetch_sub(1);
      else if (in(op.reads, v)) readers[v].fetch_sub(1);
    }
  }
};

OpSpec random_op(std::mt19937_64& rng, uint64_t index) {
  OpSpec op;
  std::uniform_int_distribution<int> var(0, kVars - 1), count(0, 3), pct(0, 99);
  int nr = count(rng), nw = std::min(count(rng), 2);
  if (nr + nw == 0) nw = 1;
  for (int i = 0; i < nr; ++i) op.reads.push_back(var(rng));
  for (int i = 0; i < nw; ++i) op.writes.push_back(var(rng));
  if (pct(rng) < 10 && !op.writes.empty()) op.reads.push_back(op.writes[0]);  // in place
  op.salt = index * 7919 + 1;
  int d = pct(rng);
  op.delay = d < 5 ? 2 : d < 20 ? 1 : 0;
  return op;
}

void run_stress(int nworkers, uint64_t seed, int nops) {
  std::unique_ptr<Engine> eng = create_threaded(nworkers);
  std::vector<Var*> vars;
  for (int i = 0; i < kVars; ++i) vars.push_back(eng->new_var());
  Cells cells = {}, expected = {};
  AccessChecker checker;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pct(0, 99), var(0, kVars - 1);
  int mismatches_at_sync = 0;

  for (int i = 0; i < nops; ++i) {
    auto op = std::make_shared<OpSpec>(random_op(rng, i));
    apply(*op, expected);
    std::vector<Var*> r, w;
    for (int x : op->reads) r.push_back(vars[x]);
    for (int x : op->writes) w.push_back(vars[x]);
    auto body = [op, &cells, &checker] {
      checker.enter(*op);
      if (op->delay == 1) std::this_thread::yield();
      if (op->delay == 2) std::this_thread::sleep_for(std::chrono::microseconds(20));
      apply(*op, cells);
      checker.leave(*op);
    };
    const int nr = static_cast<int>(r.size()), nw = static_cast<int>(w.size());
    const int choice = pct(rng);
    if (choice < 10 && eng->begin_inline(r.data(), nr, w.data(), nw)) {
      body();
      eng->end_inline(r.data(), nr, w.data(), nw, nullptr, "stress_inline");
    } else {
      eng->push(body, r.data(), nr, w.data(), nw, "stress");
    }
    if (choice >= 95) {  // a sync point: that Var must hold exactly the sequential result
      const int v = var(rng);
      eng->wait_for_var(vars[v], choice >= 98);
      for (int c = 0; c < kCells; ++c) mismatches_at_sync += cells[v][c] != expected[v][c];
    }
  }
  eng->wait_all();
  EXPECT_EQ(mismatches_at_sync, 0);
  EXPECT_EQ(checker.violations.load(), 0);
  for (int v = 0; v < kVars; ++v)
    for (int c = 0; c < kCells; ++c)
      ASSERT_EQ(cells[v][c], expected[v][c]) << "var " << v << " cell " << c;
  for (Var* v : vars) eng->delete_var(v, nullptr);
}

TEST(ThreadedEngine, RandomOpsMatchSequentialExecution) {
  Watchdog watchdog(120s);
  for (int nworkers : {1, 2, 4}) {
    for (uint64_t seed : {1u, 2u, 3u}) {
      SCOPED_TRACE("workers " + std::to_string(nworkers) + " seed " + std::to_string(seed));
      run_stress(nworkers, seed, 4000);
    }
  }
}

// Two threads push ops over the same Vars in opposite orders at once: the
// engine must neither deadlock nor let them overlap.
TEST(ThreadedEngine, ConcurrentPushersDoNotDeadlock) {
  Watchdog watchdog(60s);
  std::unique_ptr<Engine> eng = create_threaded(2);
  Var* a = eng->new_var();
  Var* b = eng->new_var();
  int64_t count_a = 0, count_b = 0;  // plain: a data race would show under TSAN
  constexpr int kPerThread = 20000;
  std::atomic<int> ready{0};
  auto pusher = [&](bool reversed) {
    Var* order[2] = {reversed ? b : a, reversed ? a : b};
    ++ready;
    while (ready.load() < 2) std::this_thread::yield();  // overlap the two loops
    for (int i = 0; i < kPerThread; ++i) {
      auto body = [&] { ++count_a, ++count_b; };
      if (i % 4 == 0 && eng->begin_inline(nullptr, 0, order, 2)) {
        body();
        eng->end_inline(nullptr, 0, order, 2, nullptr, "inc_inline");
      } else {
        eng->push(body, nullptr, 0, order, 2, "inc");
      }
    }
  };
  std::thread t1(pusher, false), t2(pusher, true);
  t1.join();
  t2.join();
  eng->wait_all();
  EXPECT_EQ(count_a, 2 * kPerThread);
  EXPECT_EQ(count_b, 2 * kPerThread);
  eng->delete_var(a, nullptr);
  eng->delete_var(b, nullptr);
}

TEST(ThreadedEngine, ReadersBetweenWritesRunConcurrently) {
  Watchdog watchdog(30s);
  std::unique_ptr<Engine> eng = create_threaded(2);
  Var* v = eng->new_var();
  std::atomic<int> inside{0}, most_inside{0}, seen_by_writer{-1};
  eng->push([] { std::this_thread::sleep_for(5ms); }, nullptr, 0, &v, 1, "first_write");
  for (int k = 0; k < 2; ++k) {
    eng->push(
        [&] {
          int now = ++inside;
          int prev = most_inside.load();
          while (now > prev && !most_inside.compare_exchange_weak(prev, now)) {}
          // Stay until the other reader is in too (or give up after 2 s).
          auto deadline = std::chrono::steady_clock::now() + 2s;
          while (most_inside.load() < 2 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::yield();
          --inside;
        },
        &v, 1, nullptr, 0, "reader");
  }
  eng->push([&] { seen_by_writer = inside.load(); }, nullptr, 0, &v, 1, "second_write");
  eng->wait_all();
  EXPECT_EQ(most_inside.load(), 2);
  EXPECT_EQ(seen_by_writer.load(), 0);
  eng->delete_var(v, nullptr);
}

// ---------------------------------------------------------------- errors

class EngineErrors : public ::testing::TestWithParam<std::string> {};

TEST_P(EngineErrors, PoisonPropagatesAndIsReportedOnce) {
  Watchdog watchdog(30s);
  std::unique_ptr<Engine> eng = make_engine(GetParam());
  Var* a = eng->new_var();
  Var* b = eng->new_var();
  Var* c = eng->new_var();
  std::atomic<bool> downstream_ran{false}, inplace_ran{false}, overwrite_ran{false};
  const std::string take_msg = "Error in operator take: index 5 is out of bounds for axis 0";

  eng->push([] { throw Error(MXL_ERR_INDEX, "index 5 is out of bounds for axis 0"); }, nullptr,
            0, &a, 1, "take");
  eng->push([&] { downstream_ran = true; }, &a, 1, &b, 1, "plus");
  Caught on_b = catch_error([&] { eng->wait_for_var(b, false); });
  EXPECT_TRUE(on_b.thrown);
  EXPECT_EQ(on_b.kind, MXL_ERR_INDEX);
  EXPECT_EQ(on_b.message, take_msg);
  EXPECT_FALSE(downstream_ran.load());
  Caught on_a = catch_error([&] { eng->wait_for_var(a, true); });
  EXPECT_EQ(on_a.kind, MXL_ERR_INDEX);
  EXPECT_EQ(on_a.message, take_msg);
  // Already reported at a sync point: wait_all has nothing to raise.
  EXPECT_NO_THROW(eng->wait_all());
  // The Var stays poisoned until written.
  EXPECT_EQ(catch_error([&] { eng->wait_for_var(a, false); }).message, take_msg);

  // Reading and writing a poisoned Var: skipped.
  eng->push([&] { inplace_ran = true; }, &a, 1, &a, 1, "inplace");
  EXPECT_EQ(catch_error([&] { eng->wait_for_var(a, false); }).message, take_msg);
  EXPECT_FALSE(inplace_ran.load());
  // Only writing it: runs and cures it.
  eng->push([&] { overwrite_ran = true; }, nullptr, 0, &a, 1, "overwrite");
  EXPECT_FALSE(catch_error([&] { eng->wait_for_var(a, false); }).thrown);
  EXPECT_TRUE(overwrite_ran.load());
  EXPECT_TRUE(catch_error([&] { eng->wait_for_var(b, false); }).thrown);  // b was not written

  // Unreported errors go to wait_all, first one first, once.
  eng->push([] { throw std::runtime_error("boom"); }, nullptr, 0, &c, 1, "custom");
  eng->push([] { throw Error(MXL_ERR_VALUE, "second"); }, nullptr, 0, &c, 1, "later");
  Caught all = catch_error([&] { eng->wait_all(); });
  EXPECT_TRUE(all.thrown);
  EXPECT_EQ(all.kind, MXL_ERR_RUNTIME);
  EXPECT_EQ(all.message, "Error in operator custom: boom");
  EXPECT_NO_THROW(eng->wait_all());

  // Still usable.
  int value = 0;
  eng->push([&] { value = 7; }, &a, 1, &c, 1, "fine");
  eng->wait_for_var(c, false);
  EXPECT_EQ(value, 7);
  for (Var* v : {a, b, c}) eng->delete_var(v, nullptr);
  EXPECT_NO_THROW(eng->wait_all());
}

INSTANTIATE_TEST_SUITE_P(BothEngines, EngineErrors, ::testing::Values("threaded", "naive"));

// ---------------------------------------------------------------- deletion

TEST(ThreadedEngine, DeleteWaitsForPendingOps) {
  Watchdog watchdog(30s);
  std::unique_ptr<Engine> eng = create_threaded(2);
  for (bool pending_is_write : {true, false}) {
    SCOPED_TRACE(pending_is_write ? "pending write" : "pending read");
    Var* v = eng->new_var();
    Gate gate;
    std::atomic<bool> op_done{false}, deleted{false}, deleted_after_op{false};
    eng->push([&] { gate.wait(); op_done = true; }, pending_is_write ? nullptr : &v,
              pending_is_write ? 0 : 1, pending_is_write ? &v : nullptr, pending_is_write ? 1 : 0,
              "slow");
    eng->delete_var(v, [&] { deleted_after_op = op_done.load(); deleted = true; });
    std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(deleted.load());
    gate.open();
    eng->wait_all();
    EXPECT_TRUE(deleted.load());
    EXPECT_TRUE(deleted_after_op.load());
  }
}

TEST_P(EngineErrors, DeleteRunsOnPoisonedVar) {
  std::unique_ptr<Engine> eng = make_engine(GetParam());
  Var* v = eng->new_var();
  eng->push([] { throw Error(MXL_ERR_VALUE, "bad"); }, nullptr, 0, &v, 1, "failing");
  std::atomic<bool> deleted{false};
  eng->delete_var(v, [&] { deleted = true; });
  Caught c = catch_error([&] { eng->wait_all(); });  // never reported before: wait_all has it
  EXPECT_EQ(c.message, "Error in operator failing: bad");
  EXPECT_TRUE(deleted.load());
}

// A closure that owns the last reference to an array frees it on a worker,
// and an op may push more work: neither may deadlock, and wait_all covers both.
TEST(ThreadedEngine, PushAndDeleteFromInsideAnOp) {
  Watchdog watchdog(30s);
  for (int nworkers : {1, 2}) {
    std::unique_ptr<Engine> eng = create_threaded(nworkers);
    Engine* e = eng.get();
    Var* a = e->new_var();
    Var* b = e->new_var();
    std::atomic<bool> inner_ran{false}, deleted{false};
    Caught nested_wait;
    struct DeleteOnDestroy {
      DeleteOnDestroy(Engine* engine, Var* var, std::atomic<bool>* flag)
          : e(engine), v(var), deleted(flag) {}
      ~DeleteOnDestroy() { e->delete_var(v, [d = deleted] { *d = true; }); }
      Engine* e;
      Var* v;
      std::atomic<bool>* deleted;
    };
    auto owner = std::make_shared<DeleteOnDestroy>(e, b, &deleted);
    e->push(
        [owner, e, a, &inner_ran, &nested_wait] {
          e->push([&inner_ran] { inner_ran = true; }, nullptr, 0, &a, 1,
                  "inner");
          nested_wait = catch_error([e] { e->wait_all(); });  // would wait for itself
        },
        nullptr, 0, &b, 1, "outer");
    owner.reset();
    e->wait_all();
    EXPECT_TRUE(inner_ran.load());
    EXPECT_TRUE(deleted.load());
    EXPECT_TRUE(nested_wait.thrown);
    EXPECT_EQ(nested_wait.kind, MXL_ERR_RUNTIME);
    e->delete_var(a, nullptr);
  }
}

// ---------------------------------------------------------------- inline

TEST(ThreadedEngine, InlineOnlyWhenNothingPending) {
  Watchdog watchdog(30s);
  std::unique_ptr<Engine> eng = create_threaded(1);
  Var* a = eng->new_var();
  Var* b = eng->new_var();
  Var* c = eng->new_var();
  Gate gate;
  eng->push([&] { gate.wait(); }, nullptr, 0, &a, 1, "slow_write");
  EXPECT_FALSE(eng->begin_inline(&a, 1, nullptr, 0));
  EXPECT_FALSE(eng->begin_inline(nullptr, 0, &a, 1));
  // Failing on a busy Var must give back the ones already taken.
  Var* busy_last[] = {c, a};
  EXPECT_FALSE(eng->begin_inline(busy_last, 2, nullptr, 0));
  EXPECT_FALSE(eng->begin_inline(&c, 1, &a, 1));
  ASSERT_TRUE(eng->begin_inline(nullptr, 0, &c, 1));
  eng->end_inline(nullptr, 0, &c, 1, nullptr, "tiny");
  // Unrelated Vars, duplicates and a Var both read and written.
  Var* dup_reads[] = {b, b, c};
  Var* dup_writes[] = {c, c};
  ASSERT_TRUE(eng->begin_inline(dup_reads, 3, dup_writes, 2));
  eng->end_inline(dup_reads, 3, dup_writes, 2, nullptr, "tiny");
  gate.open();
  eng->wait_all();

  // While an inline op holds b, a pushed reader of b waits for it.
  ASSERT_TRUE(eng->begin_inline(&a, 1, &b, 1));
  std::atomic<bool> reader_ran{false};
  eng->push([&] { reader_ran = true; }, &b, 1, nullptr, 0, "after_inline");
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(reader_ran.load());
  // A pending read only blocks writers.
  EXPECT_FALSE(eng->begin_inline(&b, 1, nullptr, 0));
  eng->end_inline(&a, 1, &b, 1, std::make_exception_ptr(Error(MXL_ERR_VALUE, "bad shape")),
                  "tiny_op");
  Caught c1 = catch_error([&] { eng->wait_all(); });
  EXPECT_EQ(c1.kind, MXL_ERR_VALUE);
  EXPECT_EQ(c1.message, "Error in operator tiny_op: bad shape");
  EXPECT_FALSE(reader_ran.load());  // it read the poisoned b: skipped
  EXPECT_FALSE(eng->begin_inline(&b, 1, nullptr, 0));  // poisoned read
  ASSERT_TRUE(eng->begin_inline(nullptr, 0, &b, 1));   // a plain write is fine...
  eng->end_inline(nullptr, 0, &b, 1, nullptr, "overwrite");
  EXPECT_NO_THROW(eng->wait_for_var(b, false));  // ...and cures it

  // A pending reader does not block an inline reader.
  Gate gate2;
  eng->push([&] { gate2.wait(); }, &b, 1, nullptr, 0, "slow_read");
  EXPECT_TRUE(eng->begin_inline(&b, 1, nullptr, 0));
  eng->end_inline(&b, 1, nullptr, 0, nullptr, "tiny");
  EXPECT_FALSE(eng->begin_inline(nullptr, 0, &b, 1));
  gate2.open();
  eng->wait_all();
  for (Var* v : {a, b, c}) eng->delete_var(v, nullptr);
}

// wait_all on one thread also waits for an op another thread runs inline.
TEST(ThreadedEngine, WaitAllWaitsForInlineOpsOfOtherThreads) {
  Watchdog watchdog(30s);
  std::unique_ptr<Engine> eng = create_threaded(1);
  Var* a = eng->new_var();
  ASSERT_TRUE(eng->begin_inline(nullptr, 0, &a, 1));
  std::atomic<bool> waited{false};
  std::thread waiter([&] {
    eng->wait_all();
    waited = true;
  });
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(waited.load());
  eng->end_inline(nullptr, 0, &a, 1, nullptr, "inline_op");
  waiter.join();
  EXPECT_TRUE(waited.load());
  eng->delete_var(a, nullptr);
}

TEST(ThreadedEngine, WaitForVarWaitsOnlyForWhatItNeeds) {
  Watchdog watchdog(30s);
  std::unique_ptr<Engine> eng = create_threaded(2);
  Var* v = eng->new_var();
  std::atomic<int> value{0};
  eng->push([&] { std::this_thread::sleep_for(20ms); value = 1; }, nullptr, 0, &v, 1, "write");
  eng->wait_for_var(v, false);
  EXPECT_EQ(value.load(), 1);
  Gate gate;
  std::atomic<bool> read_done{false};
  eng->push([&] { gate.wait(); read_done = true; }, &v, 1, nullptr, 0, "slow_read");
  eng->wait_for_var(v, false);  // no write pending: returns with the read still running
  EXPECT_FALSE(read_done.load());
  gate.open();
  eng->wait_for_var(v, true);  // waits for the read too
  EXPECT_TRUE(read_done.load());
  eng->delete_var(v, nullptr);
}

// ---------------------------------------------------------------- naive

TEST(NaiveEngine, RunsEachOpAtPushOnTheCallersThread) {
  std::unique_ptr<Engine> eng = create_naive();
  EXPECT_STREQ(eng->type_name(), "NaiveEngine");
  Var* v = eng->new_var();
  Var* w = eng->new_var();
  int value = 0;
  std::thread::id ran_on;
  eng->push([&] { value = 42; ran_on = std::this_thread::get_id(); }, nullptr, 0, &v, 1, "set");
  EXPECT_EQ(value, 42);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_TRUE(eng->begin_inline(&v, 1, &w, 1));
  eng->end_inline(&v, 1, &w, 1, std::make_exception_ptr(std::runtime_error("oops")), "tiny");
  EXPECT_FALSE(eng->begin_inline(&w, 1, nullptr, 0));  // w poisoned
  EXPECT_TRUE(eng->begin_inline(nullptr, 0, &w, 1));   // writing it is allowed
  eng->end_inline(nullptr, 0, &w, 1, nullptr, "overwrite");
  EXPECT_TRUE(eng->begin_inline(&w, 1, nullptr, 0));
  eng->end_inline(&w, 1, nullptr, 0, nullptr, "read");
  Caught c = catch_error([&] { eng->wait_all(); });
  EXPECT_EQ(c.message, "Error in operator tiny: oops");
  bool deleted = false;
  eng->delete_var(v, [&] { deleted = true; });
  EXPECT_TRUE(deleted);
  eng->delete_var(w, nullptr);
}

// ---------------------------------------------------------------- process engine

TEST(EngineSelection, SetTypeSwitchesAndKeepsVars) {
  Watchdog watchdog(30s);
  const std::string original = get()->type_name();
  ASSERT_NO_THROW(get()->wait_all());

  set_type("ThreadedEnginePerDevice");
  EXPECT_STREQ(get()->type_name(), "ThreadedEngine");
  EXPECT_EQ(get(), get());
  Var* v = get()->new_var();
  std::atomic<int> value{0};
  get()->push([&] { std::this_thread::sleep_for(10ms); value = 1; }, nullptr, 0, &v, 1, "slow");
  set_type("NaiveEngine");  // waits for the pending op first
  EXPECT_EQ(value.load(), 1);
  EXPECT_STREQ(get()->type_name(), "NaiveEngine");
  get()->push([&] { value = 2; }, nullptr, 0, &v, 1, "set");
  EXPECT_EQ(value.load(), 2);  // synchronous now, on a Var made by the other engine

  Caught unknown = catch_error([] { set_type("FastEngine"); });
  EXPECT_EQ(unknown.kind, MXL_ERR_KEY);
  EXPECT_EQ(unknown.message,
            "unknown engine type 'FastEngine'; expected NaiveEngine or ThreadedEngine");
  EXPECT_STREQ(get()->type_name(), "NaiveEngine");

  // A pending error is reported by the switch, which then does not happen.
  set_type("ThreadedEngine");
  get()->push([] { throw Error(MXL_ERR_VALUE, "bad"); }, nullptr, 0, &v, 1, "failing");
  Caught pending = catch_error([] { set_type("NaiveEngine"); });
  EXPECT_EQ(pending.message, "Error in operator failing: bad");
  EXPECT_STREQ(get()->type_name(), "ThreadedEngine");
  set_type("NaiveEngine");
  EXPECT_STREQ(get()->type_name(), "NaiveEngine");

  get()->delete_var(v, nullptr);
  set_type(original);
  EXPECT_EQ(get()->type_name(), original);
}

}  // namespace
}  // namespace engine
}  // namespace mxl
