"""Checkpoints of an exploration: written as it goes, resumed after a kill.

- :mod:`.store`: :class:`~.store.Checkpoint`, a checkpoint directory and when to write to it;
- :mod:`.files`: segments and the manifest, written atomically, read only when their
  checksums match;
- :mod:`.identity`: what a checkpoint was written for, and what a resumed run must match;
- :mod:`.values`: the model's values (pickled) and their ids;
- :mod:`.batch_state`: the batch engine's state; :mod:`.partition_state`: a partition's.
"""

from .store import Checkpoint, Notice

__all__ = ["Checkpoint", "Notice"]
