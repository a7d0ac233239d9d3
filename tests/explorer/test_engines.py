"""The batch explorer and the simple explorer build the same space: same ids, same edges."""

from __future__ import annotations

import numpy as np
import pytest

from flpcheck import explore
from flpcheck.explorer.batch import BatchEngine
from flpcheck.explorer.simple import SimpleEngine
from flpcheck.model.loader import load_protocol, protocol_classes

from ..helpers import assert_same
from ..paths import FIXTURES, MODELS

#: the batch engine as it runs by default (one configuration at a time while the frontier is
#: thin, then numpy blocks) and with numpy blocks only
BATCH = {"default": lambda: BatchEngine(), "blocks-only": lambda: BatchEngine(thin_width=0)}


def model_specs() -> list[str]:
    """Every asynchronous model class in models/, as file.py:Class."""
    specs = []
    for path in sorted(MODELS.glob("*.py")):
        if path.stem != "floodset":
            specs += [f"{path}:{name}" for name in protocol_classes(path)]
    return specs


@pytest.mark.parametrize("batch", BATCH)
@pytest.mark.parametrize("spec", model_specs(), ids=lambda s: s.rpartition("/")[2])
def test_both_engines_build_the_same_space_for_every_model(spec, batch):
    bounds = {"max_configs": 20000}
    assert_same(explore(load_protocol(spec), engine=SimpleEngine(), **bounds),
                explore(load_protocol(spec), engine=BATCH[batch](), **bounds))


@pytest.mark.parametrize("batch", BATCH)
@pytest.mark.parametrize("bounds", [{"max_configs": 777}, {"max_depth": 4}, {"max_buffer": 2},
                                    {"max_configs": 1500, "max_buffer": 3}, {"max_configs": 40}])
def test_both_engines_cut_at_the_same_place(bounds, batch):
    path = str(MODELS / "majority.py")
    assert_same(explore(load_protocol(path, 3), engine=SimpleEngine(), **bounds),
                explore(load_protocol(path, 3), engine=BATCH[batch](), **bounds))


@pytest.mark.parametrize("batch", BATCH)
def test_both_engines_find_the_same_decision_change(batch):
    path = str(FIXTURES / "bad" / "decision_changes.py")
    a = explore(load_protocol(path), engine=SimpleEngine())
    b = explore(load_protocol(path), engine=BATCH[batch]())
    assert a.decision_change_edge is not None
    assert_same(a, b)


@pytest.mark.parametrize("width", [1, 4, 16])
def test_the_thin_start_hands_over_to_numpy_blocks_anywhere(width):
    """Handing over at any frontier width gives the same space (ids included)."""
    path = str(MODELS / "majority.py")
    assert_same(explore(load_protocol(path, 3), engine=SimpleEngine()),
                explore(load_protocol(path, 3), engine=BatchEngine(thin_width=width)))


def test_a_hash_collision_in_the_batch_engine_falls_back_to_the_simple_engine(monkeypatch):
    """With a mix that keeps two bits of each column's share, every row hashes to one of a
    few values (wherever it is hashed: whole, or from its source's hash) and the batch engine
    meets a collision at once; explore then explores with the simple engine, which needs no
    hash, and says so: the space is the one both engines build without collisions."""

    from flpcheck.explorer import _storage

    spec = str(MODELS / "majority.py")
    expected = explore(load_protocol(spec, 3))
    monkeypatch.setattr(_storage, "_mix", lambda h: h & np.uint64(3))
    space = explore(load_protocol(spec, 3))
    assert space.engine == "simple" and "64-bit hash" in space.engine_note
    assert_same(space, expected)


@pytest.mark.parametrize("engine", [SimpleEngine, BatchEngine])
def test_a_stop_requested_from_the_start_is_honoured_before_any_expansion(engine):
    """A stop check that answers "timeout" at once: no configuration is expanded, the space
    is incomplete and says why (leader_broadcast has 72 configurations, 8 of them initial)."""
    space = explore(load_protocol(str(MODELS / "leader_broadcast.py")), engine=engine(),
                    stop=lambda: "timeout")
    assert not space.complete and space.cut_reasons == ["timeout"]
    assert len(space) == 8 and not space.expanded.any()


@pytest.mark.parametrize("spec", ["models/majority.py", "models/paxos.py:Paxos",
                                  "models/wait_for_all.py"])
def test_successor_hashes_follow_from_their_sources(spec, monkeypatch):
    """The batch engine hashes a successor from its source's hash and the shares of the
    columns the move changed (its own state and sub-buffer, the receivers' sub-buffers): the
    result is the hash of the whole successor row, on models whose steps send to one, to
    several or to no process."""
    from flpcheck.explorer import moves
    from flpcheck.explorer._storage import row_hash

    checked = []
    successors = moves.Moves.successors

    def checking(self, *args):
        src, pos, keep, S, h = successors(self, *args)
        assert h is not None and np.array_equal(h, row_hash(S))
        checked.append(len(S))
        return src, pos, keep, S, h

    monkeypatch.setattr(moves.Moves, "successors", checking)
    explore(load_protocol(spec, 3), engine=BatchEngine(thin_width=0), max_configs=20000)
    assert sum(checked) > 1000
