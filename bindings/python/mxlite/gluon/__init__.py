"""mx.gluon: MXNet 1.9's imperative/hybrid neural-network API."""
from . import parameter, parameter_dict, block, symbol_block
from .parameter import Constant, DeferredInitializationError, Parameter, ParameterDict
from .block import Block, HybridBlock
from .symbol_block import SymbolBlock
from . import nn, loss, utils, contrib, data
from . import model_zoo
from . import rnn
from .trainer import Trainer
