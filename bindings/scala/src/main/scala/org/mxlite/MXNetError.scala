package org.mxlite

/** The kind of a core error: the MXL_ERR_* code of include/c_api.h and its name
  * without the prefix ("VALUE", "TYPE", ...), as the conformance cases spell it. */
sealed abstract class ErrorKind(val code: Int, val name: String) {
  override def toString: String = name
}

object ErrorKind {
  case object Value extends ErrorKind(1, "VALUE")
  case object Type extends ErrorKind(2, "TYPE")
  case object Index extends ErrorKind(3, "INDEX")
  case object OutOfMemory extends ErrorKind(4, "OUT_OF_MEMORY")
  case object NotImplemented extends ErrorKind(5, "NOT_IMPLEMENTED")
  case object Key extends ErrorKind(6, "KEY")
  case object Runtime extends ErrorKind(7, "RUNTIME")
  case object InvalidHandle extends ErrorKind(8, "INVALID_HANDLE")
  /** A code this binding does not know (a newer library); kept, not hidden. */
  final case class Other(override val code: Int) extends ErrorKind(code, s"UNKNOWN($code)")

  val all: Seq[ErrorKind] =
    Seq(Value, Type, Index, OutOfMemory, NotImplemented, Key, Runtime, InvalidHandle)

  def fromCode(code: Int): ErrorKind = all.find(_.code == code).getOrElse(Other(code))

  /** The kind named "VALUE", "TYPE", ... (the MXL_ERR_ prefix is optional). */
  def fromName(name: String): ErrorKind = {
    val n = name.stripPrefix("MXL_ERR_")
    all.find(_.name == n).getOrElse(throw new IllegalArgumentException(s"unknown error kind '$name'"))
  }
}

/** An error raised by the mxlite core (or by this binding checking arguments the
  * way the core would), carrying the core's kind and message.  Bad input never
  * crashes the JVM: every failing C call ends up here. */
class MXNetError(val kind: ErrorKind, message: String) extends RuntimeException(message) {
  override def toString: String = s"MXNetError[${kind.name}]: $message"
}

object MXNetError {
  def apply(kind: ErrorKind, message: String): MXNetError = new MXNetError(kind, message)
}
