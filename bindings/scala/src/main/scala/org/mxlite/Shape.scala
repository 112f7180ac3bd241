package org.mxlite

import scala.language.implicitConversions

/** A tuple of integers: an array's extents, or a shape-typed op parameter
  * (kernel, stride, axis, a Reshape target with MXNet's special codes 0, -1, ...).
  * Its text form is MXNet's: "(3, 3)", "(5,)", "()". */
final class Shape(private val dims: Array[Int]) {
  def apply(i: Int): Int = dims(i)
  def length: Int = dims.length
  def ndim: Int = dims.length
  /** Number of elements (the product of the extents; 1 for "()"). */
  def product: Long = dims.foldLeft(1L)(_ * _)
  def toArray: Array[Int] = dims.clone()
  def toVector: Vector[Int] = dims.toVector
  def toLongArray: Array[Long] = dims.map(_.toLong)
  /** MXNet's attribute text. */
  def text: String =
    if (dims.length == 1) s"(${dims(0)},)" else dims.mkString("(", ", ", ")")
  override def toString: String = text
  override def equals(o: Any): Boolean = o match {
    case s: Shape => java.util.Arrays.equals(s.dims, dims)
    case _ => false
  }
  override def hashCode: Int = java.util.Arrays.hashCode(dims)
}

object Shape {
  def apply(dims: Int*): Shape = new Shape(dims.toArray)
  def apply(dims: Array[Int]): Shape = new Shape(dims.clone())
  def fromLongs(dims: Array[Long]): Shape = new Shape(dims.map { d =>
    if (d > Int.MaxValue) throw MXNetError(ErrorKind.Value, s"extent $d does not fit a Shape") else d.toInt
  })
  /** `axis = 1` where a shape-typed parameter is expected. */
  implicit def fromInt(d: Int): Shape = new Shape(Array(d))
  implicit def fromSeq(s: Seq[Int]): Shape = new Shape(s.toArray)
  implicit def fromArray(a: Array[Int]): Shape = new Shape(a.clone())
}

/** A shape-typed parameter whose entries may be None (slice's begin/end/step):
  * `OptionShape(Some(1), None)` is "(1, None)"; any Shape converts to one. */
final class OptionShape(val entries: Seq[Option[Int]]) {
  def text: String = {
    val parts = entries.map(_.fold("None")(_.toString))
    if (parts.length == 1) s"(${parts.head},)" else parts.mkString("(", ", ", ")")
  }
  override def toString: String = text
}

object OptionShape {
  def apply(entries: Option[Int]*): OptionShape = new OptionShape(entries.toVector)
  implicit def fromShape(s: Shape): OptionShape = new OptionShape(s.toVector.map(Some(_)))
  implicit def fromInts(s: Seq[Int]): OptionShape = new OptionShape(s.toVector.map(Some(_)))
  implicit def fromInt(d: Int): OptionShape = new OptionShape(Vector(Some(d)))
}

/** A float-typed op parameter.  Accepts Float, Double, Int or Long and keeps
  * MXNet's text form ("0.5", "inf", "nan"); a Float prints its shortest decimal
  * ("0.1", not 0.10000000149...) so the core reads the value that was written. */
final class FloatArg private (val text: String) {
  override def toString: String = text
}

object FloatArg {
  private def special(d: Double): String =
    if (d.isNaN) "nan" else if (d > 0) "inf" else "-inf"
  implicit def fromFloat(v: Float): FloatArg =
    new FloatArg(if (v.isNaN || v.isInfinite) special(v.toDouble) else java.lang.Float.toString(v))
  implicit def fromDouble(v: Double): FloatArg =
    new FloatArg(if (v.isNaN || v.isInfinite) special(v) else java.lang.Double.toString(v))
  implicit def fromInt(v: Int): FloatArg = new FloatArg(v.toString)
  implicit def fromLong(v: Long): FloatArg = new FloatArg(v.toString)
}
