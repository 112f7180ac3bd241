package org.mxlite

/** Inference with a saved model (MXNet's export / checkpoint files): a symbol and
  * its parameters, run through a [[CachedOp]].
  * {{{
  * val p = Predictor.load("mlp-symbol.json", "mlp-0000.params")
  * val y = p.predict(Map("data" -> x)).head
  * }}}
  * Parameter names may carry MXNet's "arg:"/"aux:" prefixes or none. */
final class Predictor(val symbol: Symbol, params: Map[String, NDArray]) extends AutoCloseable {
  private val byName: Map[String, NDArray] = params.map { case (k, v) =>
    k.stripPrefix("arg:").stripPrefix("aux:") -> v
  }
  val inputNames: IndexedSeq[String] = symbol.listInputs
  /** Inputs the parameters do not cover: what predict must be given. */
  val dataNames: IndexedSeq[String] = inputNames.filterNot(byName.contains)
  private val op = new CachedOp(symbol)

  /** Outputs for the given data arrays (by input name); parameters fill the rest. */
  def predict(data: Map[String, NDArray]): IndexedSeq[NDArray] = {
    data.keys.find(k => !inputNames.contains(k)).foreach { k =>
      throw MXNetError(ErrorKind.Key, s"Predictor: '$k' is not an input of the symbol; inputs: ${inputNames.mkString(", ")}")
    }
    val inputs = inputNames.map { n =>
      data.getOrElse(n, byName.getOrElse(n, throw MXNetError(ErrorKind.Value,
        s"Predictor: no array for input '$n' (data inputs: ${dataNames.mkString(", ")})")))
    }
    Autograd.pause(op(inputs))
  }

  /** Outputs for a model with one data input. */
  def predict(data: NDArray): IndexedSeq[NDArray] = {
    if (dataNames.length != 1)
      throw MXNetError(ErrorKind.Value, s"Predictor: the model has data inputs ${dataNames.mkString(", ")}; pass a Map")
    predict(Map(dataNames.head -> data))
  }

  /** Free the compiled graph and the symbol (the parameter arrays stay the caller's). */
  def dispose(): Unit = { op.dispose(); symbol.dispose() }
  override def close(): Unit = dispose()
}

object Predictor {
  /** A predictor from a symbol JSON file and a .params file. */
  def load(symbolPath: String, paramsPath: String): Predictor =
    new Predictor(Symbol.load(symbolPath), NDArray.load(paramsPath).toMap)
}
