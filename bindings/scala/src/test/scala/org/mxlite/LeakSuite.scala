package org.mxlite

import org.mxlite.TestUtil._

/** Native handles are freed by dispose() at once and by the Cleaner after GC. */
class LeakSuite extends munit.FunSuite {
  private def settle(): Long = {
    var prev = -1L
    var cur = Mxlite.liveHandles
    var tries = 0
    while (cur != prev && tries < 50) {  // earlier suites' garbage may still be queued
      System.gc(); Thread.sleep(30)
      prev = cur; cur = Mxlite.liveHandles; tries += 1
    }
    cur
  }

  test("dispose frees at once") {
    val base = settle()
    val a = NDArray.ones(Shape(3))
    val b = a + 1f
    assert(Mxlite.liveHandles >= base + 2)
    a.dispose(); b.dispose()
    assertEquals(Mxlite.liveHandles, base)
  }

  // In its own method so that no local of the test's frame keeps an array reachable.
  private def work(): Unit = {
    val x = NDArray.array(randoms(64, 31), Shape(8, 8))
    x.attachGrad()
    for (_ <- 0 until 200) {
      val y = Autograd.record(nd.relu(x * 2f + 1f).reshape(Shape(64)).slice(0, 10))
      y.backward()
      y.toArray
    }
    x.grad.toArray
    nd.SliceChannel(x, numOutputs = 2).foreach(_.toArray)
  }

  test("garbage collection frees arrays, views, op outputs and autograd graphs") {
    work()  // op handles are cached for the process's life: look them up before the baseline
    val base = settle()
    work()
    val live = awaitHandles(base)
    assertEquals(live, base, s"live handles $live, baseline $base")
  }
}
