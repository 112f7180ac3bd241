package org.mxlite

import munit.Assertions._

/** Shared checks: element-wise closeness against an independent oracle. */
object TestUtil {
  def assertClose(actual: Array[Float], expected: Array[Float], rtol: Double = 1e-5,
                  atol: Double = 1e-6, clue: String = ""): Unit = {
    assertEquals(actual.length, expected.length, s"$clue: length")
    var i = 0
    while (i < actual.length) {
      val a = actual(i).toDouble
      val e = expected(i).toDouble
      if (!(math.abs(a - e) <= atol + rtol * math.abs(e)))
        fail(s"$clue: element $i is $a, expected $e")
      i += 1
    }
  }

  /** Deterministic pseudo-random floats in [-1, 1) (a fixed LCG, no JVM RNG state). */
  def randoms(n: Int, seed: Long): Array[Float] = {
    var x = seed * 6364136223846793005L + 1442695040888963407L
    Array.fill(n) {
      x = x * 6364136223846793005L + 1442695040888963407L
      ((x >>> 40).toDouble / (1L << 24) * 2 - 1).toFloat
    }
  }

  /** Wait (running GC) until the live-handle counter drops to baseline or time runs out. */
  def awaitHandles(baseline: Long, timeoutMs: Long = 10000): Long = {
    val deadline = System.currentTimeMillis() + timeoutMs
    var live = Mxlite.liveHandles
    while (live > baseline && System.currentTimeMillis() < deadline) {
      System.gc()
      Thread.sleep(20)
      live = Mxlite.liveHandles
    }
    live
  }
}
