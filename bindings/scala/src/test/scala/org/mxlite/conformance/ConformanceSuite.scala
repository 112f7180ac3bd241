package org.mxlite.conformance

import org.mxlite._

class ConformanceSuite extends munit.FunSuite {
  test("conformance cases pass and leave no handles behind") {
    val files = ConformanceRunner.caseFiles(ConformanceRunner.defaultPaths)
    assert(files.nonEmpty, "no conformance case files found")
    NDArray.zeros(Shape(1)).dispose()
    NDArray.waitAll()
    val (base, ops) = (Mxlite.liveHandles, Invoke.cachedOps)
    val r = ConformanceRunner.runFiles(files)
    NDArray.waitAll()
    val live = Mxlite.liveHandles - (Invoke.cachedOps - ops)  // cached op handles are not leaks
    println(s"conformance (${files.length} files): ${r.passed} passed, ${r.failed} failed")
    r.failures.take(30).foreach(f => println("  FAIL " + f))
    assert(r.failed == 0, r.failures.take(10).mkString("\n"))
    assert(r.passed > 0)
    assert(live <= base, s"live handles went from $base to $live")
  }
}
