package org.mxlite

import org.mxlite.jni.CApi

/** Library-wide facts and switches: version, engine, random seed, counters. */
object Mxlite {
  Base.ensureLoaded()

  /** The library's version (major * 10000 + minor * 100 + patch). */
  def version: Int = Base.libraryVersion
  /** Where the library was loaded from. */
  def libraryPath: String = Base.libraryPath

  /** Native handles of every kind created and not yet freed (the leak counter). */
  def liveHandles: Long = {
    val out = new Array[Long](1)
    Base.check(CApi.mxl_live_handles(out))
    out(0)
  }

  /** (bytes in use, peak, pooled) of the core's storage pool. */
  def storageStats: (Long, Long, Long) = {
    val a, b, c = new Array[Long](1)
    Base.check(CApi.mxl_storage_stats(a, b, c))
    (a(0), b(0), c(0))
  }

  /** Seed the global generator of the random ops. */
  def seed(seed: Long): Unit = Base.check(CApi.mxl_random_seed(seed))

  /** "ThreadedEngine" or "NaiveEngine" (synchronous, for debugging). */
  def setEngineType(name: String): Unit = Base.check(CApi.mxl_engine_set_type(Base.cBytes(name)))

  /** Block until every pushed op finished. */
  def waitAll(): Unit = NDArray.waitAll()
}
