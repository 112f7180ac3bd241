package org.mxlite

import org.mxlite.jni.CApi

/** A symbolic graph (MXNet's Symbol), as far as running saved models needs:
  * load MXNet 1.x symbol JSON (files MXNet or mxlite wrote), list its inputs,
  * write it back.  Run it with [[CachedOp]] or [[Predictor]]. */
final class Symbol private[mxlite] (handle0: Long) extends AutoCloseable {
  private[mxlite] val ref: Handle = new Handle(handle0, h => CApi.mxl_symbol_free(h)).attach(this)

  private[mxlite] def handle: Long = {
    val h = ref.peek
    if (h == 0L) throw MXNetError(ErrorKind.InvalidHandle, "a Symbol that has been disposed")
    h
  }

  private def names(which: Int): IndexedSeq[String] = {
    val text = Base.copyString((b, c, n) => CApi.mxl_symbol_list(handle, which, b, c, n))
    java.lang.ref.Reference.reachabilityFence(this)
    Json.parse(text).asInstanceOf[Vector[Any]].map(_.asInstanceOf[String])
  }

  /** Variables no op mutates (weights, biases, data). */
  def listArguments: IndexedSeq[String] = names(0)
  def listOutputs: IndexedSeq[String] = names(1)
  /** Variables an op mutates (BatchNorm's moving statistics). */
  def listAuxiliaryStates: IndexedSeq[String] = names(2)
  /** Every variable in graph order: what a CachedOp takes as inputs. */
  def listInputs: IndexedSeq[String] = names(3)

  /** MXNet 1.9 symbol JSON. */
  def toJson: String = {
    val s = Base.copyString((b, c, n) => CApi.mxl_symbol_to_json(handle, b, c, n))
    java.lang.ref.Reference.reachabilityFence(this)
    s
  }

  def dispose(): Unit = ref.release()
  override def close(): Unit = dispose()
  override def toString: String = if (ref.peek == 0L) "Symbol(disposed)" else s"Symbol(outputs ${listOutputs.mkString(", ")})"
}

object Symbol {
  Base.ensureLoaded()

  /** Read a symbol JSON file (`model-symbol.json`). */
  def load(path: String): Symbol = {
    val out = new Array[Long](1)
    Base.check(CApi.mxl_symbol_load(Base.cBytes(path), out))
    new Symbol(out(0))
  }

  /** Parse symbol JSON text. */
  def loadJson(json: String): Symbol = {
    val out = new Array[Long](1)
    Base.check(CApi.mxl_symbol_from_json(Base.cBytes(json), out))
    new Symbol(out(0))
  }
}
