package org.mxlite

import scala.language.implicitConversions

/** An element type: the core's code (DLPack's DLDataType packed as
  * code | bits << 8 | lanes << 16), MXNet's name and the element size. */
final class DType private (val code: Int, val name: String, val bytes: Int) {
  override def toString: String = name
  override def equals(o: Any): Boolean = o match {
    case d: DType => d.code == code
    case _ => false
  }
  override def hashCode: Int = code
}

object DType {
  private def pack(kind: Int, bits: Int): Int = kind | (bits << 8) | (1 << 16)
  val Float32 = new DType(pack(2, 32), "float32", 4)
  val Float64 = new DType(pack(2, 64), "float64", 8)
  val Float16 = new DType(pack(2, 16), "float16", 2)
  val UInt8 = new DType(pack(1, 8), "uint8", 1)
  val Int8 = new DType(pack(0, 8), "int8", 1)
  val Int32 = new DType(pack(0, 32), "int32", 4)
  val Int64 = new DType(pack(0, 64), "int64", 8)
  val Bool = new DType(pack(6, 8), "bool", 1)

  val all: Seq[DType] = Seq(Float32, Float64, Float16, UInt8, Int8, Int32, Int64, Bool)

  def fromCode(code: Int): DType = all.find(_.code == code).getOrElse(
    throw MXNetError(ErrorKind.Type, s"unknown dtype code $code"))

  /** The dtype named as MXNet names it ("float32", "int64", ...). */
  def fromName(name: String): DType = all.find(_.name == name).getOrElse(
    throw MXNetError(ErrorKind.Type, s"unknown dtype '$name'; expected one of ${all.map(_.name).mkString(", ")}"))

  /** Lets op parameters take MXNet's names: `dtype = "float32"`. */
  implicit def fromString(name: String): DType = fromName(name)
}
