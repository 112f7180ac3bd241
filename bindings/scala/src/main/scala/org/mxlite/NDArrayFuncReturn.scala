package org.mxlite

import scala.language.implicitConversions

/** The visible outputs of an op that may have several (BatchNorm with
  * output_mean_var, SliceChannel, RNN with state_outputs, ...).  Most such
  * calls have one visible output, so it converts implicitly to its first
  * NDArray: `val y: NDArray = nd.Dropout(x, p = 0.5f)`. */
final class NDArrayFuncReturn private[mxlite] (val arrays: IndexedSeq[NDArray]) {
  def head: NDArray = apply(0)
  def apply(i: Int): NDArray = {
    if (i < 0 || i >= arrays.length)
      throw MXNetError(ErrorKind.Index, s"output $i out of range: the op returned ${arrays.length}")
    arrays(i)
  }
  def size: Int = arrays.length
  def length: Int = arrays.length
  def toSeq: Seq[NDArray] = arrays
  def foreach(f: NDArray => Unit): Unit = arrays.foreach(f)
  def map[B](f: NDArray => B): IndexedSeq[B] = arrays.map(f)
  /** Free every output now (see NDArray.dispose). */
  def dispose(): Unit = arrays.foreach(_.dispose())
  override def toString: String = arrays.mkString("NDArrayFuncReturn(", ", ", ")")
}

object NDArrayFuncReturn {
  implicit def toNDArray(r: NDArrayFuncReturn): NDArray = r.head
}
