package org.mxlite

import java.lang.ref.Cleaner

/** Ownership of one native handle (a new reference from the core).
  *
  * The owner object (an NDArray, a Symbol, ...) registers this state with a
  * shared java.lang.ref.Cleaner: when the owner becomes unreachable the Cleaner
  * thread frees the handle; `release()` (dispose/close) frees it at once.  The
  * state never refers back to its owner, or the owner could never become
  * unreachable.  A Cleanable runs at most once, so an explicit release followed
  * by GC frees exactly once. */
private[mxlite] final class Handle(initial: Long, free: Long => Unit) extends Runnable {
  @volatile private var value: Long = initial
  private var cleanable: Cleaner.Cleanable = _

  /** The raw handle, or 0 once released. */
  def peek: Long = value

  def run(): Unit = {
    val h = value
    value = 0L
    if (h != 0L) free(h)
  }

  def attach(owner: AnyRef): Handle = {
    cleanable = Handle.cleaner.register(owner, this)
    this
  }

  def release(): Unit = if (cleanable != null) cleanable.clean() else run()
}

private[mxlite] object Handle {
  /** One daemon thread frees every handle the JVM collected. */
  val cleaner: Cleaner = Cleaner.create()
}
