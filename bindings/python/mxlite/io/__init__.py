"""mx.io: data batches and iterators (MXNet 1.9 API)."""
from .io import DataBatch, DataDesc, DataIter, NDArrayIter, ResizeIter

__all__ = ["DataBatch", "DataDesc", "DataIter", "NDArrayIter", "ResizeIter"]
