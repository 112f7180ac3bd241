"""Recurrent layers RNN, LSTM, GRU (MXNet 1.9 gluon.rnn) running the fused
RNN op.  Parameter names (l0_i2h_weight, r1_h2h_bias, ...) and the order
they are packed into the op's flat parameter vector follow MXNet, so its
saved .params files load unchanged."""
from ... import ndarray, symbol
from ...ndarray import NDArray
from ...symbol import Symbol
from ..block import HybridBlock

__all__ = ["RNN", "LSTM", "GRU"]

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


class _RNNLayer(HybridBlock):
    """The shared implementation: parameters, states, the fused call."""

    def __init__(self, hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                 i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                 h2h_bias_initializer, mode, dtype, use_sequence_length=False, **kwargs):
        super().__init__(**kwargs)
        if layout not in ("TNC", "NTC"):
            raise ValueError(f"Invalid layout {layout!r}; must be one of ['TNC' or 'NTC']")
        if num_layers < 1 or hidden_size < 1:
            raise ValueError(f"{type(self).__name__}: hidden_size and num_layers must be "
                             f"positive, got {hidden_size} and {num_layers}")
        self._hidden_size = hidden_size
        self._num_layers = num_layers
        self._mode = mode
        self._layout = layout
        self._dropout = dropout
        self._dir = 2 if bidirectional else 1
        self._input_size = input_size
        self._dtype = dtype
        self._use_sequence_length = use_sequence_length
        self._gates = _GATES[mode]
        self.skip_states = None
        ng, nh, ni = self._gates, hidden_size, input_size
        with self.name_scope():
            for i in range(num_layers):
                for j in ["l", "r"][:self._dir]:
                    self._register_param(f"{j}{i}_i2h_weight", (ng * nh, ni),
                                         i2h_weight_initializer)
                    self._register_param(f"{j}{i}_h2h_weight", (ng * nh, nh),
                                         h2h_weight_initializer)
                    self._register_param(f"{j}{i}_i2h_bias", (ng * nh,), i2h_bias_initializer)
                    self._register_param(f"{j}{i}_h2h_bias", (ng * nh,), h2h_bias_initializer)
                ni = nh * self._dir

    def _register_param(self, name, shape, init):
        p = self.params.get(name, shape=shape, init=init, allow_deferred_init=True,
                            dtype=self._dtype)
        setattr(self, name, p)
        return p

    def _collect_params_with_prefix(self, prefix=""):
        """Structural names as MXNet 1.9 saves them (save/load_parameters):
        those of its unfused cell stack, `_unfused.<layer>.<g>_<t>`, or with
        bidirectional `_unfused.<layer>.<l|r>_cell.<g>_<t>`."""
        if prefix:
            prefix += "."
        ret = {}
        for key, val in self._reg_params.items():
            d, rest = key.split("_", 1)  # "l0", "i2h_weight"
            layer = d[1:]
            name = f"_unfused.{layer}.{d[0]}_cell.{rest}" if self._dir == 2 else \
                f"_unfused.{layer}.{rest}"
            ret[prefix + name] = val
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def __repr__(self):
        s = f"{self.__class__.__name__}("
        shape = getattr(self, "l0_i2h_weight").shape
        mapping = f"{shape[1] if shape[1] else None} -> {shape[0] // self._gates}"
        s += mapping + f", {self._layout}"
        if self._num_layers != 1:
            s += f", num_layers={self._num_layers}"
        if self._dropout != 0:
            s += f", dropout={self._dropout}"
        if self._dir == 2:
            s += ", bidirectional"
        return s + ")"

    def state_info(self, batch_size=0):
        """Shapes of the begin states: (num_layers * directions, batch, hidden)."""
        n = 2 if self._mode == "lstm" else 1
        return [{"shape": (self._num_layers * self._dir, batch_size, self._hidden_size),
                 "__layout__": "LNC"} for _ in range(n)]

    def begin_state(self, batch_size=0, func=ndarray.zeros, **kwargs):
        """Initial states made by `func` (zeros by default) from state_info."""
        states = []
        for i, info in enumerate(self.state_info(batch_size)):
            info.update(kwargs)
            info.pop("__layout__", None)  # a layout hint, not an array attribute
            states.append(func(name=f"{self.prefix}h0_{i}", **info))
        return states

    def infer_shape(self, inputs, *args):
        """Layer 0's input size comes from the input's feature axis."""
        if inputs.ndim != 3:
            raise ValueError(f"{type(self).__name__}: input data should be rank-3 tensor of "
                             f"dim [sequence length, batch size, input size], got shape "
                             f"{inputs.shape}")
        ni = inputs.shape[self._layout.find("C")]
        for j in ["l", "r"][:self._dir]:
            getattr(self, f"{j}0_i2h_weight").shape = (self._gates * self._hidden_size, ni)

    def _symbol_zero_states(self, inputs):
        """Zero begin states for a Symbol input.  MXNet uses zeros of shape
        (L, 0, H) and lets shape inference fill the batch; mxlite's graph
        executor needs the real batch, so the zeros are derived from the input."""
        t_axis, c_axis = self._layout.find("T"), self._layout.find("C")
        z = symbol.slice_axis(inputs, axis=t_axis, begin=0, end=1)
        z = symbol.zeros_like(symbol.slice_axis(z, axis=c_axis, begin=0, end=1))
        if self._layout == "NTC":
            z = symbol.swapaxes(z, dim1=0, dim2=1)  # (1, N, 1)
        reps = (self._num_layers * self._dir, 1, self._hidden_size)
        return [symbol.tile(z, reps=reps) for _ in self.state_info()]

    def __call__(self, inputs, states=None, sequence_length=None):
        self.skip_states = states is None
        if states is None:
            if isinstance(inputs, NDArray):
                batch_size = inputs.shape[self._layout.find("N")]
                states = self.begin_state(batch_size, ctx=inputs.context, dtype=inputs.dtype)
            else:
                states = self._symbol_zero_states(inputs)
        if isinstance(states, (NDArray, Symbol)):
            states = [states]
        # the graph always returns (output, states), so one cached graph serves
        # calls with and without states; the states are dropped here
        if self._use_sequence_length:
            out = super().__call__(inputs, states, sequence_length)
        else:
            out = super().__call__(inputs, states)
        return out[0] if self.skip_states else out

    def hybrid_forward(self, F, inputs, states, sequence_length=None, **kwargs):
        if F is ndarray:
            batch_size = inputs.shape[self._layout.find("N")]
            for state, info in zip(states, self.state_info(batch_size)):
                if tuple(state.shape) != info["shape"]:
                    raise ValueError(f"Invalid recurrent state shape. Expecting "
                                     f"{info['shape']}, got {tuple(state.shape)}.")
        return self._forward_kernel(F, inputs, states, sequence_length, **kwargs)

    def _forward_kernel(self, F, inputs, states, sequence_length, **kwargs):
        if self._layout == "NTC":
            inputs = F.swapaxes(inputs, dim1=0, dim2=1)
        # MXNet's packing: all weights (layer, direction, i2h then h2h), then all biases
        params = [kwargs[f"{d}{l}_{g}_{t}"].reshape(-1)
                  for t in ["weight", "bias"]
                  for l in range(self._num_layers)
                  for d in ["l", "r"][:self._dir]
                  for g in ["i2h", "h2h"]]
        params = F.concat(*params, dim=0)
        args = list(states)
        if self._use_sequence_length:
            args.append(sequence_length)
        rnn = F.RNN(inputs, params, *args, use_sequence_length=self._use_sequence_length,
                    state_size=self._hidden_size, num_layers=self._num_layers,
                    bidirectional=self._dir == 2, p=self._dropout, state_outputs=True,
                    mode=self._mode)
        if self._mode == "lstm":
            outputs, states = rnn[0], [rnn[1], rnn[2]]
        else:
            outputs, states = rnn[0], [rnn[1]]
        if self._layout == "NTC":
            outputs = F.swapaxes(outputs, dim1=0, dim2=1)
        return outputs, states


class RNN(_RNNLayer):
    """Multi-layer Elman RNN: h_t = activation(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh),
    activation 'relu' or 'tanh'."""

    def __init__(self, hidden_size, num_layers=1, activation="relu", layout="TNC", dropout=0,
                 bidirectional=False, i2h_weight_initializer=None,
                 h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", input_size=0, dtype="float32", **kwargs):
        if activation not in ("relu", "tanh"):
            raise ValueError(f"RNN: activation must be 'relu' or 'tanh', got {activation!r}")
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer,
                         i2h_bias_initializer, h2h_bias_initializer, "rnn_" + activation,
                         dtype, **kwargs)


class LSTM(_RNNLayer):
    """Multi-layer LSTM (gate order i, f, g, o as MXNet); states [h, c]."""

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0, bidirectional=False,
                 input_size=0, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros",
                 projection_size=None, h2r_weight_initializer=None, state_clip_min=None,
                 state_clip_max=None, state_clip_nan=False, dtype="float32", **kwargs):
        if projection_size is not None:
            raise ValueError("LSTM: projection_size is not supported by mxlite's fused RNN op")
        if state_clip_min is not None or state_clip_max is not None or state_clip_nan:
            raise ValueError("LSTM: state clipping is not supported by mxlite's gluon.rnn")
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer,
                         i2h_bias_initializer, h2h_bias_initializer, "lstm", dtype, **kwargs)


class GRU(_RNNLayer):
    """Multi-layer GRU (gate order r, z, n as MXNet)."""

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0, bidirectional=False,
                 input_size=0, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", dtype="float32",
                 **kwargs):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer,
                         i2h_bias_initializer, h2h_bias_initializer, "gru", dtype, **kwargs)
