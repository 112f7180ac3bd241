# A two-layer MLP as MXNet symbol JSON (what Python's mx.sym writes).
mlp_json <- function(hidden = 5, classes = 3) {
  sprintf('{"nodes": [
  {"op": "null", "name": "data", "inputs": []},
  {"op": "null", "name": "fc1_weight", "inputs": []},
  {"op": "null", "name": "fc1_bias", "inputs": []},
  {"op": "FullyConnected", "name": "fc1", "attrs": {"num_hidden": "%d"},
   "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]},
  {"op": "Activation", "name": "relu1", "attrs": {"act_type": "relu"}, "inputs": [[3, 0, 0]]},
  {"op": "null", "name": "fc2_weight", "inputs": []},
  {"op": "null", "name": "fc2_bias", "inputs": []},
  {"op": "FullyConnected", "name": "fc2", "attrs": {"num_hidden": "%d"},
   "inputs": [[4, 0, 0], [5, 0, 0], [6, 0, 0]]},
  {"op": "null", "name": "softmax_label", "inputs": []},
  {"op": "SoftmaxOutput", "name": "softmax", "inputs": [[7, 0, 0], [8, 0, 0]]}],
 "arg_nodes": [0, 1, 2, 5, 6, 8], "node_row_ptr": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
 "heads": [[9, 0, 0]], "attrs": {"mxnet_version": ["int", 10901]}}', hidden, classes)
}

# TRUE when the core has the .params / CachedOp sections of the C ABI.
params_abi_available <- function() mx.core.has("mxl_arrays_load")
model_abi_available <- function() params_abi_available() && mx.core.has("mxl_cached_op_create")
