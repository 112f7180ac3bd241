"""mx.gluon.rnn: MXNet 1.9's recurrent layers (fused RNN op) and cells."""
from .rnn_layer import RNN, LSTM, GRU
from .rnn_cell import RecurrentCell, HybridRecurrentCell, RNNCell, LSTMCell, GRUCell
from .rnn_cell_containers import (SequentialRNNCell, HybridSequentialRNNCell, DropoutCell,
                                  ModifierCell, ResidualCell, BidirectionalCell, ZoneoutCell)
