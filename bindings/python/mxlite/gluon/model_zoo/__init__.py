"""mx.gluon.model_zoo: predefined network architectures (MXNet 1.9)."""
from . import model_store, vision
