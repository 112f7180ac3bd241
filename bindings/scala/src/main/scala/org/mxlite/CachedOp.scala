package org.mxlite

import org.mxlite.jni.CApiCachedOp

/** A symbol compiled once and called like one op (MXNet's CachedOp, what Gluon's
  * hybridize runs): `op(inputs)` with one array per `symbol.listInputs` entry, in
  * that order.  While autograd records, a call is recorded as one node, so
  * gradients flow through it.  flags: MXNet's (key, value) pairs, e.g.
  * ("static_alloc", "true"). */
final class CachedOp(symbol: Symbol, flags: Seq[(String, String)] = Nil) extends AutoCloseable {
  Base.registerSection("CachedOp")(CApiCachedOp.register)

  private[mxlite] val ref: Handle = {
    val (keys, km) = Base.cStringArray(flags.map(_._1))
    val (vals, vm) = Base.cStringArray(flags.map(_._2))
    val out = new Array[Long](1)
    Base.check(CApiCachedOp.mxl_cached_op_create(symbol.handle, flags.length, keys, vals, out))
    java.lang.ref.Reference.reachabilityFence(km)
    java.lang.ref.Reference.reachabilityFence(vm)
    java.lang.ref.Reference.reachabilityFence(symbol)
    new Handle(out(0), h => CApiCachedOp.mxl_cached_op_free(h)).attach(this)
  }

  private def handle: Long = {
    val h = ref.peek
    if (h == 0L) throw MXNetError(ErrorKind.InvalidHandle, "a CachedOp that has been disposed")
    h
  }

  private lazy val io: (Int, Int) = {
    val ni, no = new Array[Int](1)
    Base.check(CApiCachedOp.mxl_cached_op_num_io(handle, ni, no))
    (ni(0), no(0))
  }
  def numInputs: Int = io._1
  def numOutputs: Int = io._2

  /** Run the graph on inputs (symbol.listInputs order); returns every output. */
  def apply(inputs: Seq[NDArray]): IndexedSeq[NDArray] = {
    val hs = inputs.zipWithIndex.map { case (x, i) =>
      if (x == null) throw MXNetError(ErrorKind.Value, s"CachedOp: input $i is null")
      x.handleFor("CachedOp", s"input $i")
    }.toArray
    val n = Array(numOutputs max 1)
    val outs = new Array[Long](n(0))
    Base.check(CApiCachedOp.mxl_cached_op_invoke(handle, hs.length, hs, n, outs))
    java.lang.ref.Reference.reachabilityFence(inputs)
    java.lang.ref.Reference.reachabilityFence(this)
    outs.take(n(0)).toIndexedSeq.map(h => new NDArray(h))
  }

  def dispose(): Unit = ref.release()
  override def close(): Unit = dispose()
}
