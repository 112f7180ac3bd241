package org.mxlite.bench

import org.mxlite._

/** Per-call overhead of the Scala binding: `_plus_scalar` on a one-element array,
  * N calls per run, median of several runs, in microseconds per call.  Prints the
  * machine-readable line `overhead_us scala <median>` (outputs are left to the
  * garbage collector, the usual idiom), then a comment line with the same loop
  * disposing each output at once.  Args: [calls per run] [runs]. */
object Overhead {
  private def median(xs: Seq[Double]): Double = {
    val s = xs.sorted
    if (s.length % 2 == 1) s(s.length / 2) else (s(s.length / 2 - 1) + s(s.length / 2)) / 2
  }

  private def time(calls: Int, runs: Int)(f: => Unit): Double = median((0 until runs).map { _ =>
    val t0 = System.nanoTime()
    var i = 0
    while (i < calls) { f; i += 1 }
    NDArray.waitAll()
    (System.nanoTime() - t0) / 1e3 / calls
  })

  def main(args: Array[String]): Unit = {
    val calls = args.headOption.map(_.toInt).getOrElse(20000)
    val runs = if (args.length > 1) args(1).toInt else 7
    val x = NDArray.ones(Shape(1))
    val warm = time(calls, 3)(nd.internal._plus_scalar(x, scalar = 1f))  // JIT warm-up
    val gc = time(calls, runs)(nd.internal._plus_scalar(x, scalar = 1f))
    val disposed = time(calls, runs)(nd.internal._plus_scalar(x, scalar = 1f).dispose())
    println(f"overhead_us scala $gc%.3f")
    println(f"# scala: $disposed%.3f us/call when each output is disposed at once " +
      f"(warm-up $warm%.3f; $calls calls x $runs runs, median)")
  }
}
