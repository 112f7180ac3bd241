package org.mxlite

class SymbolSuite extends munit.FunSuite {
  // An MXNet 1.x style symbol file: data -> FullyConnected(3) -> relu.
  val json: String =
    """{"nodes": [
      |  {"op": "null", "name": "data", "inputs": []},
      |  {"op": "null", "name": "fc1_weight", "inputs": []},
      |  {"op": "null", "name": "fc1_bias", "inputs": []},
      |  {"op": "FullyConnected", "name": "fc1", "attrs": {"num_hidden": "3"}, "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]},
      |  {"op": "Activation", "name": "relu1", "attrs": {"act_type": "relu"}, "inputs": [[3, 0, 0]]}
      |], "arg_nodes": [0, 1, 2], "node_row_ptr": [0, 1, 2, 3, 4, 5], "heads": [[4, 0, 0]],
      |"attrs": {"mxnet_version": ["int", 10901]}}""".stripMargin

  test("load symbol JSON, list its variables and outputs, write it back") {
    val s = Symbol.loadJson(json)
    assertEquals(s.listArguments, IndexedSeq("data", "fc1_weight", "fc1_bias"))
    assertEquals(s.listInputs, IndexedSeq("data", "fc1_weight", "fc1_bias"))
    assertEquals(s.listOutputs, IndexedSeq("relu1_output"))
    assertEquals(s.listAuxiliaryStates, IndexedSeq.empty[String])
    val again = Symbol.loadJson(s.toJson)
    assertEquals(again.listArguments, s.listArguments)
    val f = java.io.File.createTempFile("mxlite-sym", ".json")
    try {
      java.nio.file.Files.write(f.toPath, json.getBytes("UTF-8"))
      assertEquals(Symbol.load(f.getPath).listOutputs, IndexedSeq("relu1_output"))
    } finally f.delete()
    s.dispose()
    assertEquals(intercept[MXNetError](s.listArguments).kind, ErrorKind.InvalidHandle)
  }

  test("malformed JSON and unknown ops are MXNetErrors") {
    assertEquals(intercept[MXNetError](Symbol.loadJson("{not json")).kind, ErrorKind.Value)
    val bad = json.replace("\"Activation\"", "\"NoSuchOp\"")
    assertEquals(intercept[MXNetError](Symbol.loadJson(bad)).kind, ErrorKind.Key)
    assertEquals(intercept[MXNetError](Symbol.load("/nonexistent/x.json")).kind, ErrorKind.Value)
  }

  test("Json reader") {
    assertEquals(Json.parse("""{"a": [1, 2.5, "x\n", true, null], "b": {}}"""),
      Map("a" -> Vector(1.0, 2.5, "x\n", true, null), "b" -> Map.empty[String, Any]))
    intercept[MXNetError](Json.parse("[1, 2"))
  }
}
