package org

/** mxlite for Scala: `import org.mxlite._`, then `nd.<Op>(...)`, `NDArray`,
  * `Shape`, `Autograd.record { ... }`. */
package object mxlite {
  /** The op namespace, as MXNet's `mx.nd`: `nd.Activation(x, actType = "relu")`. */
  val nd: NDArray.type = NDArray

  /** Scalars on the left of an array operator: `1f - x`, `2f * x`. */
  implicit class FloatArrayOps(private val s: Float) extends AnyVal {
    def +(x: NDArray): NDArray = x + s
    def -(x: NDArray): NDArray = NDArray.internal._rminus_scalar(x, scalar = s)
    def *(x: NDArray): NDArray = x * s
    def /(x: NDArray): NDArray = NDArray.internal._rdiv_scalar(x, scalar = s)
  }
}
