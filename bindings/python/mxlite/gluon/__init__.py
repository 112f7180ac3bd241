"""mx.gluon: MXNet 1.9's imperative/hybrid neural-network API."""
from . import parameter, block
from .parameter import Constant, DeferredInitializationError, Parameter, ParameterDict
from .block import Block, HybridBlock, SymbolBlock
from . import nn, loss, utils, contrib
from .trainer import Trainer
