"""Recurrent cells (MXNet 1.9 gluon.rnn): one time step per call, unroll()
for a sequence.  Built from ordinary ops (FullyConnected, activations,
SliceChannel), so they work imperatively, hybridized and symbolically."""
from ... import ndarray, symbol
from ...ndarray import NDArray
from ...symbol import Symbol
from ..block import Block, HybridBlock

__all__ = ["RecurrentCell", "HybridRecurrentCell", "RNNCell", "LSTMCell", "GRUCell"]

_TENSORS = (NDArray, Symbol)


def _as_list(obj):
    """A list of arrays/symbols; a multi-output Symbol becomes its outputs."""
    if isinstance(obj, (list, tuple)):
        return list(obj)
    if isinstance(obj, Symbol) and len(obj.list_outputs()) > 1:
        return [obj[i] for i in range(len(obj.list_outputs()))]
    return [obj]


def _format_sequence(length, inputs, layout, merge, in_layout=None):
    """(inputs as a list of steps or one merged tensor, time axis, F, batch size)."""
    if layout not in ("TNC", "NTC"):
        raise ValueError(f"unroll: layout must be 'TNC' or 'NTC', got {layout!r}")
    axis = layout.find("T")
    batch_axis = layout.find("N")
    batch_size = 0
    in_axis = in_layout.find("T") if in_layout is not None else axis
    if isinstance(inputs, Symbol):
        F = symbol
        if merge is False:
            inputs = _as_list(symbol.split(inputs, axis=in_axis, num_outputs=length,
                                           squeeze_axis=1))
    elif isinstance(inputs, NDArray):
        F = ndarray
        batch_size = inputs.shape[batch_axis]
        if merge is False:
            if length is not None and length != inputs.shape[in_axis]:
                raise ValueError(f"unroll: length {length} does not match the input's time "
                                 f"axis {inputs.shape[in_axis]}")
            inputs = _as_list(ndarray.split(inputs, axis=in_axis,
                                            num_outputs=inputs.shape[in_axis], squeeze_axis=1))
    else:
        if length is not None and len(inputs) != length:
            raise ValueError(f"unroll: got {len(inputs)} inputs for length {length}")
        if isinstance(inputs[0], Symbol):
            F = symbol
        else:
            F = ndarray
            batch_size = inputs[0].shape[0]
        if merge is True:
            inputs = F.concat(*[F.expand_dims(i, axis=axis) for i in inputs], dim=axis)
            in_axis = axis
    if isinstance(inputs, _TENSORS) and axis != in_axis:
        inputs = F.swapaxes(inputs, dim1=axis, dim2=in_axis)
    return inputs, axis, F, batch_size


def _mask_sequence_variable_length(F, data, length, valid_length, time_axis, merge):
    """Zero the steps at or beyond each sequence's valid length."""
    if not isinstance(data, _TENSORS):
        data = F.stack(*data, axis=time_axis)
    outputs = F.SequenceMask(data, sequence_length=valid_length, use_sequence_length=True,
                             axis=time_axis)
    if not merge:
        outputs = _as_list(F.split(outputs, num_outputs=length, axis=time_axis,
                                   squeeze_axis=True))
    return outputs


def _reverse_sequences(sequences, unroll_step, valid_length=None):
    """The steps in reverse time order (per sequence's valid length if given)."""
    F = symbol if isinstance(sequences[0], Symbol) else ndarray
    if valid_length is None:
        return list(reversed(sequences))
    stacked = F.stack(*sequences, axis=0)
    rev = F.SequenceReverse(stacked, sequence_length=valid_length, use_sequence_length=True)
    return _as_list(F.split(rev, axis=0, num_outputs=unroll_step, squeeze_axis=True))


def _get_begin_state(cell, F, begin_state, inputs, batch_size):
    if begin_state is None:
        begin_state = cell.begin_state(func=F.zeros, batch_size=batch_size)
    return begin_state


class RecurrentCell(Block):
    """Base class of recurrent cells: state_info, begin_state, unroll."""

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._modified = False
        self.reset()

    def reset(self):
        """Reset the step and begin-state counters before a new sequence."""
        self._init_counter = -1
        self._counter = -1
        for cell in self._children.values():
            cell.reset()

    def state_info(self, batch_size=0):
        """Shape and layout of each state."""
        raise NotImplementedError()

    def begin_state(self, batch_size=0, func=ndarray.zeros, **kwargs):
        """Initial states (zeros by default) for a batch of `batch_size`."""
        if self._modified:
            raise AssertionError("After applying modifier cells (e.g. ZoneoutCell) the base "
                                 "cell cannot be called directly. Call the modifier cell "
                                 "instead.")
        states = []
        for info in self.state_info(batch_size):
            self._init_counter += 1
            info = dict(info) if info is not None else {}
            info.update(kwargs)
            info.pop("__layout__", None)  # a layout hint, not an array attribute
            states.append(func(name=f"{self._prefix}begin_state_{self._init_counter}", **info))
        return states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None,
               valid_length=None):
        """Run `length` steps; returns (outputs, final states).  With
        valid_length, outputs past each sequence's end are zero and the states
        are those at its last valid step."""
        self.reset()
        inputs, axis, F, batch_size = _format_sequence(length, inputs, layout, False)
        states = _get_begin_state(self, F, begin_state, inputs, batch_size)
        outputs, all_states = [], []
        for i in range(length):
            output, states = self(inputs[i], states)
            outputs.append(output)
            if valid_length is not None:
                all_states.append(states)
        if valid_length is not None:
            states = [F.SequenceLast(F.stack(*ele, axis=0), sequence_length=valid_length,
                                     use_sequence_length=True, axis=0)
                      for ele in zip(*all_states)]
            outputs = _mask_sequence_variable_length(F, outputs, length, valid_length, axis,
                                                     True)
        outputs = _format_sequence(length, outputs, layout, merge_outputs)[0]
        return outputs, states

    def _get_activation(self, F, inputs, activation, **kwargs):
        if isinstance(activation, str):
            if activation == "tanh":
                return F.tanh(inputs, **kwargs)
            if activation == "sigmoid":
                return F.sigmoid(inputs, **kwargs)
            if activation == "softsign":
                return F.softsign(inputs, **kwargs)
            return F.Activation(inputs, act_type=activation, **kwargs)
        return activation(inputs, **kwargs)

    def forward(self, inputs, states):
        """One step: (output, new states)."""
        self._counter += 1
        return super().forward(inputs, states)


class HybridRecurrentCell(RecurrentCell, HybridBlock):
    """A recurrent cell defined by hybrid_forward."""

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise NotImplementedError


class RNNCell(HybridRecurrentCell):
    """Elman cell: h' = activation(W_i2h x + b_i2h + W_h2h h + b_h2h)."""

    def __init__(self, hidden_size, activation="tanh", i2h_weight_initializer=None,
                 h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", input_size=0, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._hidden_size = hidden_size
        self._activation = activation
        self._input_size = input_size
        self._gates = 1
        self._make_params(i2h_weight_initializer, h2h_weight_initializer,
                          i2h_bias_initializer, h2h_bias_initializer)

    def _make_params(self, i2h_w, h2h_w, i2h_b, h2h_b):
        n = self._gates * self._hidden_size
        self.i2h_weight = self.params.get("i2h_weight", shape=(n, self._input_size),
                                          init=i2h_w, allow_deferred_init=True)
        self.h2h_weight = self.params.get("h2h_weight", shape=(n, self._hidden_size),
                                          init=h2h_w, allow_deferred_init=True)
        self.i2h_bias = self.params.get("i2h_bias", shape=(n,), init=i2h_b,
                                        allow_deferred_init=True)
        self.h2h_bias = self.params.get("h2h_bias", shape=(n,), init=h2h_b,
                                        allow_deferred_init=True)

    def state_info(self, batch_size=0):
        return [{"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def _alias(self):
        return "rnn"

    def __repr__(self):
        shape = self.i2h_weight.shape
        return (f"{self.__class__.__name__}({shape[1] if shape[1] else None} -> "
                f"{shape[0]}, {self._activation})" if self._gates == 1 else
                f"{self.__class__.__name__}({shape[1] if shape[1] else None} -> {shape[0]})")

    def _fc(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix = f"t{self._counter}_"
        n = self._gates * self._hidden_size
        i2h = F.FullyConnected(data=inputs, weight=i2h_weight, bias=i2h_bias, num_hidden=n,
                               name=prefix + "i2h")
        h2h = F.FullyConnected(data=states[0], weight=h2h_weight, bias=h2h_bias,
                               num_hidden=n, name=prefix + "h2h")
        return prefix, i2h, h2h

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix, i2h, h2h = self._fc(F, inputs, states, i2h_weight, h2h_weight, i2h_bias,
                                    h2h_bias)
        output = self._get_activation(F, F.elemwise_add(i2h, h2h, name=prefix + "plus0"),
                                      self._activation, name=prefix + "out")
        return output, [output]


class LSTMCell(RNNCell):
    """LSTM cell, gates i, f, c(g), o; states [h, c]."""

    def __init__(self, hidden_size, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0,
                 prefix=None, params=None, activation="tanh", recurrent_activation="sigmoid"):
        HybridRecurrentCell.__init__(self, prefix=prefix, params=params)
        self._hidden_size = hidden_size
        self._input_size = input_size
        self._activation = activation
        self._recurrent_activation = recurrent_activation
        self._gates = 4
        self._make_params(i2h_weight_initializer, h2h_weight_initializer,
                          i2h_bias_initializer, h2h_bias_initializer)

    def state_info(self, batch_size=0):
        return [{"shape": (batch_size, self._hidden_size), "__layout__": "NC"},
                {"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def _alias(self):
        return "lstm"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix, i2h, h2h = self._fc(F, inputs, states, i2h_weight, h2h_weight, i2h_bias,
                                    h2h_bias)
        gates = F.elemwise_add(i2h, h2h, name=prefix + "plus0")
        sl = F.SliceChannel(gates, num_outputs=4, name=prefix + "slice")
        ract = self._recurrent_activation
        in_gate = self._get_activation(F, sl[0], ract, name=prefix + "i")
        forget_gate = self._get_activation(F, sl[1], ract, name=prefix + "f")
        in_transform = self._get_activation(F, sl[2], self._activation, name=prefix + "c")
        out_gate = self._get_activation(F, sl[3], ract, name=prefix + "o")
        next_c = F.elemwise_add(F.elemwise_mul(forget_gate, states[1]),
                                F.elemwise_mul(in_gate, in_transform), name=prefix + "state")
        next_h = F.elemwise_mul(out_gate, self._get_activation(F, next_c, self._activation),
                                name=prefix + "out")
        return next_h, [next_h, next_c]


class GRUCell(RNNCell):
    """GRU cell (r, z, n as MXNet): n = tanh(i2h_n + r * h2h_n),
    h' = (1 - z) * n + z * h."""

    def __init__(self, hidden_size, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0,
                 prefix=None, params=None, activation="tanh", recurrent_activation="sigmoid"):
        HybridRecurrentCell.__init__(self, prefix=prefix, params=params)
        self._hidden_size = hidden_size
        self._input_size = input_size
        self._activation = activation
        self._recurrent_activation = recurrent_activation
        self._gates = 3
        self._make_params(i2h_weight_initializer, h2h_weight_initializer,
                          i2h_bias_initializer, h2h_bias_initializer)

    def _alias(self):
        return "gru"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix, i2h, h2h = self._fc(F, inputs, states, i2h_weight, h2h_weight, i2h_bias,
                                    h2h_bias)
        si = F.SliceChannel(i2h, num_outputs=3, name=prefix + "i2h_slice")
        sh = F.SliceChannel(h2h, num_outputs=3, name=prefix + "h2h_slice")
        i2h_r, i2h_z, i2h = si[0], si[1], si[2]
        h2h_r, h2h_z, h2h = sh[0], sh[1], sh[2]
        ract = self._recurrent_activation
        reset_gate = self._get_activation(F, F.elemwise_add(i2h_r, h2h_r), ract,
                                          name=prefix + "r_act")
        update_gate = self._get_activation(F, F.elemwise_add(i2h_z, h2h_z), ract,
                                           name=prefix + "z_act")
        next_h_tmp = self._get_activation(
            F, F.elemwise_add(i2h, F.elemwise_mul(reset_gate, h2h)), self._activation,
            name=prefix + "h_act")
        ones = F.ones_like(update_gate)
        next_h = F.elemwise_add(F.elemwise_mul(F.elemwise_sub(ones, update_gate), next_h_tmp),
                                F.elemwise_mul(update_gate, states[0]), name=prefix + "out")
        return next_h, [next_h]
