"""mx.optimizer: weight-update rules, the Optimizer base class and the Updater (MXNet 1.9 API).

`mx.optimizer.create('sgd', learning_rate=0.1, momentum=0.9)` makes an
optimizer by its registered (lower-cased class) name; `get_updater(opt)`
wraps one into the `updater(index, grad, weight)` callable kvstore and
gluon.Trainer use.
"""
from .optimizer import Optimizer, Test, create, register
from .updater import Updater, get_updater
from .sgd import SGD, NAG, Signum, ccSGD, DCASGD, SGLD, LARS
from .adam import Adam, AdamW, Adamax, Nadam, LAMB, FTML
from .adaptive import RMSProp, AdaGrad, AdaDelta, Ftrl
from . import contrib
from .contrib import GroupAdaGrad

__all__ = ["Optimizer", "Test", "create", "register", "Updater", "get_updater",
           "SGD", "NAG", "Signum", "ccSGD", "DCASGD", "SGLD", "LARS", "GroupAdaGrad", "contrib",
           "Adam", "AdamW", "Adamax", "Nadam", "LAMB", "FTML",
           "RMSProp", "AdaGrad", "AdaDelta", "Ftrl"]
