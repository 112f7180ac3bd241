package org.mxlite

/** A small JSON reader for the documents the C ABI returns (name lists, shape
  * inference results) and the conformance case files.  Values become Scala
  * values: null, Boolean, Double (every number), String, Vector[Any] and
  * Map[String, Any] (insertion order kept with a VectorMap). */
object Json {
  def parse(text: String): Any = {
    val p = new Parser(text)
    p.skipWs()
    val v = p.value()
    p.skipWs()
    if (p.pos != text.length) p.fail("trailing characters")
    v
  }

  private final class Parser(s: String) {
    var pos = 0

    def fail(what: String): Nothing =
      throw MXNetError(ErrorKind.Value, s"JSON: $what at offset $pos")

    def skipWs(): Unit =
      while (pos < s.length && Character.isWhitespace(s.charAt(pos))) pos += 1

    private def expect(c: Char): Unit = {
      if (pos >= s.length || s.charAt(pos) != c) fail(s"expected '$c'")
      pos += 1
    }

    private def literal(word: String, v: Any): Any = {
      if (!s.startsWith(word, pos)) fail("unexpected token")
      pos += word.length
      v
    }

    def value(): Any = {
      if (pos >= s.length) fail("unexpected end")
      s.charAt(pos) match {
        case '{' => obj()
        case '[' => arr()
        case '"' => str()
        case 't' => literal("true", true)
        case 'f' => literal("false", false)
        case 'n' => literal("null", null)
        case _ => num()
      }
    }

    private def obj(): Map[String, Any] = {
      expect('{')
      val b = scala.collection.immutable.VectorMap.newBuilder[String, Any]
      skipWs()
      if (pos < s.length && s.charAt(pos) == '}') { pos += 1; return b.result() }
      var more = true
      while (more) {
        skipWs()
        val k = str()
        skipWs(); expect(':'); skipWs()
        b += k -> value()
        skipWs()
        if (pos < s.length && s.charAt(pos) == ',') pos += 1 else { expect('}'); more = false }
      }
      b.result()
    }

    private def arr(): Vector[Any] = {
      expect('[')
      val b = Vector.newBuilder[Any]
      skipWs()
      if (pos < s.length && s.charAt(pos) == ']') { pos += 1; return b.result() }
      var more = true
      while (more) {
        skipWs()
        b += value()
        skipWs()
        if (pos < s.length && s.charAt(pos) == ',') pos += 1 else { expect(']'); more = false }
      }
      b.result()
    }

    private def str(): String = {
      expect('"')
      val sb = new java.lang.StringBuilder
      while (true) {
        if (pos >= s.length) fail("unterminated string")
        val c = s.charAt(pos)
        pos += 1
        c match {
          case '"' => return sb.toString
          case '\\' =>
            if (pos >= s.length) fail("bad escape")
            val e = s.charAt(pos)
            pos += 1
            e match {
              case 'n' => sb.append('\n')
              case 't' => sb.append('\t')
              case 'r' => sb.append('\r')
              case 'b' => sb.append('\b')
              case 'f' => sb.append('\f')
              case 'u' =>
                if (pos + 4 > s.length) fail("bad \\u escape")
                sb.append(Integer.parseInt(s.substring(pos, pos + 4), 16).toChar)
                pos += 4
              case other => sb.append(other)
            }
          case other => sb.append(other)
        }
      }
      fail("unreachable")
    }

    private def num(): Double = {
      val start = pos
      while (pos < s.length && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) pos += 1
      if (start == pos) fail("unexpected character")
      try s.substring(start, pos).toDouble
      catch { case _: NumberFormatException => pos = start; fail("bad number") }
    }
  }
}
