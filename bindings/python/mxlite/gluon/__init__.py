"""mx.gluon (data only on this branch; the gluon branch brings Block, nn, ...)."""
from . import data
