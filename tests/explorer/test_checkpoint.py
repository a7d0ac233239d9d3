"""Checkpoints in one process: a run resumed from any of its checkpoints builds the graph an
uninterrupted run builds (every configuration under the same id, every edge, outcome and
probability, the same cuts), whatever the values of the model; what does not match is refused
and named, never resumed.

A kill -9 right after checkpoint k leaves the directory as it is then: the tests copy it at
that moment (the notice of checkpoint k) and resume the copy. Blocks of 128 configurations
(instead of 8,192) give small models many checkpoints. The kills of a real process, at
chosen and at random moments, are in tests/cli/test_checkpoint_cli.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from flpcheck.errors import CheckpointError, WorkerLost
from flpcheck.explorer import batch
from flpcheck.explorer.checkpoint import Checkpoint, Notice, files
from flpcheck.explorer.checkpoint import store as store_module
from flpcheck.explorer.checkpoint.identity import identity_differences
from flpcheck.explorer.checkpoint.info import checkpoint_info
from flpcheck.explorer.driver import explore
from flpcheck.explorer.partition import engine as partition_engine
from flpcheck.explorer.partition.engine import PartitionEngine
from flpcheck.explorer.partition.parts import LocalParts
from flpcheck.model.loader import load_protocol

from ..helpers import assert_same
from ..paths import FIXTURES, MODELS

RICH = FIXTURES / "checkpoint" / "rich_values.py"
COIN = FIXTURES / "chance" / "coin_flip_flop.py"


_LOADED: dict[tuple[str, int | None], object] = {}


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    monkeypatch.setattr(batch, "BLOCK", 128)
    monkeypatch.setattr(files, "DURABLE", False)  # no fsync: no power is lost here
    _LOADED.clear()


def _load(spec: str | Path, n: int | None = None):
    """The model loaded once per test: each load of a file makes new classes (an enum of one
    load is not equal to the same member of another), so the runs a test compares share
    one."""
    key = (str(spec), n)
    if key not in _LOADED:
        _LOADED[key] = load_protocol(str(spec), n)
    return _LOADED[key]


def _explore(spec: str | Path, n: int | None = None, ck: Checkpoint | None = None, **kw):
    return explore(_load(spec, n), origin=str(spec), checkpoint=ck, **kw)


def _snapshots(tmp_path: Path, spec, n=None, every=0.0, keep=True, **kw):
    """Explore with a checkpoint after every block; a copy of the directory as each
    checkpoint leaves it (what a kill -9 just after it would leave; none unless ``keep``).
    Returns (the space, the copies, the notices)."""
    d = tmp_path / "ck"
    copies: list[Path] = []
    notices: list[Notice] = []

    def notice(n: Notice) -> None:
        notices.append(n)
        if n.kind == "written" and keep:
            copies.append(Path(shutil.copytree(d, tmp_path / f"copy{n.sequence}")))

    space = _explore(spec, n, Checkpoint(d, every=every, notice=notice), **kw)
    return space, copies, notices


def _resume(copy: Path, spec, n=None, **kw):
    notices: list[Notice] = []
    space = _explore(spec, n, Checkpoint(copy, resume=True, notice=notices.append), **kw)
    return space, notices


@pytest.mark.parametrize("spec, n", [(RICH, None), (COIN, None), (MODELS / "ben_or.py", 2),
                                     (MODELS / "majority.py", 3)],
                         ids=["rich-values", "coins", "ben-or-ignores", "majority-3"])
def test_resumed_from_any_checkpoint_is_the_uninterrupted_graph(tmp_path, spec, n):
    """Rich values (NamedTuple states with an enum, a frozenset of NamedTuples and nested
    tuples; NamedTuple payloads), steps left to chance (edge outcomes and probabilities), a
    protocol that declares ignores (messages dropped in the engine): resumed from the first,
    a middle and the last checkpoint but one, the graph is the uninterrupted run's, and its
    tables hold the same values under the same ids."""
    reference = _explore(spec, n)
    space, copies, _ = _snapshots(tmp_path, spec, n)
    assert_same(reference, space)
    assert len(copies) >= 4
    for copy in (copies[0], copies[len(copies) // 2], copies[-2]):
        resumed, notices = _resume(copy, spec, n)
        assert notices[0].kind == "resumed"
        assert_same(reference, resumed)
        assert resumed.table.states == reference.table.states
        assert resumed.table.messages == reference.table.messages
    if spec == COIN:
        assert reference.edge_outcome is not None and reference.edge_outcome.any()


@pytest.mark.parametrize("options", [{"symmetry": True}, {"por": True}, {"max_depth": 6},
                                     {"max_buffer": 2}, {"max_configs": 900},
                                     {"inputs": [(0, 1, 1), (1, 0, 1)]}],
                         ids=["symmetry", "por", "max-depth", "max-buffer", "max-configs",
                              "inputs"])
def test_reductions_and_bounds_resume(tmp_path, options):
    """Symmetry (orbit sizes), the partial-order reduction (recomputed on the restored table)
    and every bound (their cuts in order) survive a checkpoint."""
    spec = MODELS / "majority.py"
    reference = _explore(spec, 3, **options)
    _, copies, _ = _snapshots(tmp_path, spec, 3, **options)
    resumed, _ = _resume(copies[len(copies) // 2], spec, 3, **options)
    assert_same(reference, resumed)
    if options.get("symmetry"):
        assert np.array_equal(reference.orbit, resumed.orbit)
    assert resumed.partial_order == reference.partial_order
    assert resumed.cut_reasons == reference.cut_reasons


def test_a_stop_writes_a_checkpoint_that_resumes(tmp_path):
    """Ctrl-C (a stop between blocks): the checkpoint is written at the stop, says so, and the
    run resumed from it is the uninterrupted one (the stop is no cut of the resumed run)."""
    spec = MODELS / "majority.py"
    reference = _explore(spec, 3)
    calls = [0]

    def stop() -> str | None:
        calls[0] += 1
        return "interrupted" if calls[0] >= 12 else None

    notices: list[Notice] = []
    stopped = _explore(spec, 3, Checkpoint(tmp_path / "ck", every=3600, notice=notices.append),
                       stop=stop)
    assert stopped.cut_reasons == ["interrupted"]
    last = notices[-1]
    assert (last.kind, last.note, last.finished) == ("written", "interrupted", False)
    assert last.configurations == len(stopped)
    assert 0 < last.expanded < len(reference)
    resumed, _ = _resume(tmp_path / "ck", spec, 3)
    assert_same(reference, resumed)
    assert resumed.cut_reasons == []


def test_a_finished_checkpoint_resumes_without_exploring(tmp_path, monkeypatch):
    """A run killed during its analyses resumes with the whole graph loaded: nothing is
    expanded again (a block expanded would fail here)."""
    spec = MODELS / "majority.py"
    reference, _, _ = _snapshots(tmp_path, spec, 3, keep=False)
    monkeypatch.setattr(batch._BatchRun, "_expand", None)
    resumed, notices = _resume(tmp_path / "ck", spec, 3)
    assert notices[0].finished
    assert_same(reference, resumed)


def test_the_model_file_may_move(tmp_path):
    """The model loaded from another path (another module name, as on another machine) maps
    the checkpoint's classes to its own: NamedTuples and enums load back."""
    _, copies, _ = _snapshots(tmp_path, RICH)
    moved = tmp_path / "elsewhere" / "rich_values.py"
    moved.parent.mkdir()
    shutil.copy(RICH, moved)
    resumed, _ = _resume(copies[2], moved)
    reference = _explore(moved)
    assert_same(reference, resumed)
    assert type(resumed.table.states[0]).__module__ == type(reference.table.states[0]).__module__


def test_values_map_to_the_running_protocols_module(tmp_path):
    """The model file loaded again after the protocol that resumes (its module name in
    sys.modules now holds other classes): the values are those of the protocol's own module,
    so the states its steps compute are found among the restored ones."""
    reference, copies, _ = _snapshots(tmp_path, RICH)
    load_protocol(str(RICH))  # replaces the module's entry in sys.modules
    resumed, _ = _resume(copies[1], RICH)
    assert_same(reference, resumed)
    phase = type(reference.table.states[0].phase)
    assert all(type(s.phase) is phase for s in resumed.table.states)


# -- the partition engine in this process -------------------------------------------------------

def _partition(spec, n, K, ck=None, stop=None, chunk=512):
    return _explore(spec, n, ck, engine=PartitionEngine(K, chunk=chunk), workers=K, stop=stop)


@pytest.mark.parametrize("K, stop_at", [(2, 5), (3, 9)])
def test_partitions_resume(tmp_path, K, stop_at):
    """Each partition saves its own segment between levels; stopped in the middle of a level,
    the last complete checkpoint stays (said so) and the resumed run is the uninterrupted
    one."""
    spec = MODELS / "majority.py"
    reference = _partition(spec, 3, K)
    calls = [0]

    def stop() -> str | None:
        calls[0] += 1
        return "interrupted" if calls[0] >= stop_at else None

    notices: list[Notice] = []
    _partition(spec, 3, K, Checkpoint(tmp_path / "ck", every=0, notice=notices.append), stop)
    assert notices[-1].kind == "kept" and notices[-1].sequence > 0
    assert {f.name for f in (tmp_path / "ck").iterdir()} >= {
        f"seg-000001-p{k}.bin" for k in range(K)}
    resumed = _partition(spec, 3, K, Checkpoint(tmp_path / "ck", resume=True))
    assert_same(reference, resumed)


class _Flaky(LocalParts):
    """Partitions in this process, one of which is lost at the ``lose``-th call."""

    def __init__(self, K, make, lose: int) -> None:
        super().__init__(K, make)
        self.make, self.calls, self.lose = make, 0, lose

    def call(self, method, args, returns=1):
        self.calls += 1
        if self.calls == self.lose:
            self.parts[1] = None  # type: ignore[call-overload]
            raise WorkerLost("a Ray worker of the run died (a test)")
        return super().call(method, args, returns)

    def replace_lost(self) -> list[int]:
        lost = [k for k, part in enumerate(self.parts) if part is None]
        for k in lost:
            self.parts[k] = self.make(k)
        return lost


@pytest.mark.parametrize("lose", [2, 4, 30, 55])
def test_a_lost_worker_is_replaced_from_the_last_checkpoint(tmp_path, monkeypatch, lose):
    """A worker lost before the first checkpoint (call 2: the run starts again), while the
    first is written (call 4), or later (every partition reloaded from the last checkpoint):
    the graph is the uninterrupted one. (The run makes 63 calls to its partitions: 5 per
    level, and the first checkpoint is complete after call 5.)"""
    spec = MODELS / "majority.py"
    reference = _partition(spec, 3, 2)
    monkeypatch.setattr(partition_engine, "LocalParts",
                        lambda K, make: _Flaky(K, make, lose))
    notices: list[Notice] = []
    space = _partition(spec, 3, 2, Checkpoint(tmp_path / "ck", every=0.0,
                                              notice=notices.append))
    recovered = [n for n in notices if n.kind == "recovered"]
    assert len(recovered) == 1 and "p1" in recovered[0].note
    assert_same(reference, space)


def test_without_a_checkpoint_a_lost_worker_ends_the_run(monkeypatch):
    monkeypatch.setattr(partition_engine, "LocalParts", lambda K, make: _Flaky(K, make, 20))
    with pytest.raises(WorkerLost):
        _partition(MODELS / "majority.py", 3, 2)


# -- refusals ---------------------------------------------------------------------------------

def test_every_difference_is_named(tmp_path):
    """--resume with other options: one phrase per difference, nothing resumed."""
    _snapshots(tmp_path, MODELS / "majority.py", 3, max_depth=6, keep=False)
    with pytest.raises(CheckpointError) as err:
        _resume(tmp_path / "ck", MODELS / "majority.py", 4, max_buffer=3, symmetry=True)
    text = str(err.value)
    assert "the checkpoint was written for another graph" in text
    for phrase in ("N (--processes): 3 then, 4 now", "--inputs: 000,001,010,011,100,101,110,111 "
                   "then, 16 input vectors now", "--max-buffer: none then, 3 now",
                   "--max-depth: 6 then, none now", "--symmetry: off then, on now"):
        assert phrase in text


def test_identity_differences_one_by_one(tmp_path):
    """Each part of the identity on its own: the model file's content, the class, its
    attributes, the engine, flpcheck's version, the format."""
    _snapshots(tmp_path, MODELS / "majority.py", 3, max_depth=2, keep=False)
    saved = checkpoint_info(tmp_path / "ck").manifest
    assert identity_differences(saved, saved) == []

    def changed(part: str, key: str, value) -> list[str]:
        now = {**saved, part: {**saved[part], key: value}} if key else {**saved, part: value}
        return identity_differences(saved, now)

    assert changed("model", "sha256", "0" * 64)[0].startswith("the model file differs")
    assert changed("model", "class", "Other") == [
        "the protocol class: Majority then, Other now"]
    assert changed("model", "attributes", {"k": "2"}) == [
        "the protocol's attributes: none then, k=2 now"]
    assert changed("engine", "", {"name": "partition", "workers": 2}) == [
        "the engine: one process (the batch engine) then, --workers 2 (the partition "
        "engine) now"]
    assert changed("flpcheck", "", "9.9") == [
        f"flpcheck {saved['flpcheck']} wrote it, this is flpcheck 9.9"]
    assert identity_differences({**saved, "format": 0}, saved) == [
        "its files are of format 0, this flpcheck reads format 1"]


def test_a_model_that_behaves_otherwise_is_refused(tmp_path, monkeypatch):
    """Same file, but step gives other results now (a module it imports changed): the
    memoized steps called again on resuming show it."""
    spec = MODELS / "majority.py"
    _snapshots(tmp_path, spec, 3, keep=False)
    protocol = load_protocol(str(spec), 3)
    cls = type(protocol)
    original = cls.step
    monkeypatch.setattr(cls, "step", lambda self, pid, state, msg: (
        original(self, pid, state, msg)[0], ()))
    with pytest.raises(CheckpointError, match=r"behaves otherwise than when the checkpoint "
                                              r"was written: step\(.*now returns"):
        explore(protocol, origin=str(spec), checkpoint=Checkpoint(tmp_path / "ck",
                                                                  resume=True))


def test_a_directory_holding_a_checkpoint_is_not_overwritten(tmp_path):
    _snapshots(tmp_path, MODELS / "majority.py", 3, keep=False)
    with pytest.raises(CheckpointError, match=r"already holds a checkpoint \(Majority, N=3, "
                                              r"level \d+, 2,\d{3} configurations\): resume it "
                                              r"with --resume"):
        _explore(MODELS / "majority.py", 3, Checkpoint(tmp_path / "ck"))


def test_a_directory_in_use_is_refused(tmp_path):
    first = Checkpoint(tmp_path / "ck")
    first.begin({})
    try:
        with pytest.raises(CheckpointError, match=r"in use by another flpcheck run \(process "
                                                  r"\d+\)"):
            Checkpoint(tmp_path / "ck").begin({})
    finally:
        first.close()


def test_no_checkpoint_to_resume(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint there"):
        _resume(tmp_path / "nothing", MODELS / "majority.py", 3)


# -- damaged files ------------------------------------------------------------------------------

def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif how == "corrupted":
        data[len(data) * 2 // 3] ^= 0x40
        path.write_bytes(bytes(data))
    else:
        path.unlink()


@pytest.mark.parametrize("how, said", [
    ("truncated", r"[\d,]+ bytes, the manifest says [\d,]+ \(truncated or overwritten\)"),
    ("corrupted", r"checksum [0-9a-f]{8}, the manifest says [0-9a-f]{8} \(the file is "
                  r"corrupted\)"),
    ("missing", r"missing \(the manifest lists it\)")])
@pytest.mark.parametrize("which", ["main", "values"])
def test_a_damaged_file_is_named_and_not_read(tmp_path, how, said, which):
    _snapshots(tmp_path, MODELS / "majority.py", 3, max_depth=6, keep=False)
    names = [f["name"] for f in checkpoint_info(tmp_path / "ck").manifest["files"]]
    victim = tmp_path / "ck" / [n for n in names if n.endswith(f"-{which}.bin")][1]
    _damage(victim, how)
    with pytest.raises(CheckpointError, match=f"{victim}: {said}: the checkpoint is damaged"):
        _resume(tmp_path / "ck", MODELS / "majority.py", 3, max_depth=6)
    with pytest.raises(CheckpointError, match=str(victim)):
        checkpoint_info(tmp_path / "ck", check=True)
    checkpoint_info(tmp_path / "ck")  # the manifest alone is intact


def test_a_damaged_manifest_is_refused(tmp_path):
    _snapshots(tmp_path, MODELS / "majority.py", 3, keep=False)
    manifest = tmp_path / "ck" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"processes": 3', '"processes": 4'))
    with pytest.raises(CheckpointError, match=f"{manifest}: its checksum does not match"):
        _resume(tmp_path / "ck", MODELS / "majority.py", 4)


# -- writing -------------------------------------------------------------------------------------

def test_a_value_pickle_cannot_save_is_named(tmp_path):
    """A local state whose class is defined inside a function: refused at the first
    checkpoint, the value named."""
    from flpcheck import Protocol

    def make():
        class Local(tuple):
            pass

        class Inner(Protocol):
            processes = 2

            def init(self, pid, x):
                return Local((x,))

            def step(self, pid, state, msg):
                return state, ()

            def output(self, pid, state):
                return None
        return Inner(2)

    with pytest.raises(CheckpointError, match=r"cannot save the local state \(0,\) "
                                              r"\(.*\); a checkpoint saves values with pickle"):
        explore(make(), checkpoint=Checkpoint(tmp_path / "ck", every=0))


def test_a_refused_write_is_said_and_the_run_goes_on(tmp_path, monkeypatch):
    """The disk full at checkpoint 3: a notice says so, the run goes on, the next checkpoint
    is complete and resumes."""
    from flpcheck.explorer.checkpoint import batch_state

    real = batch_state.write_segment
    count = [0]

    def full(path, arrays):
        count[0] += 1
        if count[0] == 5:  # checkpoint 3's first segment
            raise OSError(28, "No space left on device", str(path))
        return real(path, arrays)

    monkeypatch.setattr(batch_state, "write_segment", full)
    spec = MODELS / "majority.py"
    reference = _explore(spec, 3)
    space, copies, notices = _snapshots(tmp_path, spec, 3)
    failed = [n for n in notices if n.kind == "failed"]
    assert len(failed) == 1 and failed[0].sequence == 2
    assert failed[0].note.startswith("No space left on device")
    assert_same(reference, space)
    resumed, _ = _resume(copies[3], spec, 3)
    assert_same(reference, resumed)


def test_old_segments_are_rewritten_and_removed(tmp_path, monkeypatch):
    """Past MAX_SEGMENTS segments a checkpoint writes everything again; the files no manifest
    names are deleted once it is complete."""
    from flpcheck.explorer.checkpoint import batch_state

    monkeypatch.setattr(batch_state, "MAX_SEGMENTS", 3)
    spec = MODELS / "majority.py"
    reference, copies, _ = _snapshots(tmp_path, spec, 3)
    names = sorted(p.name for p in (tmp_path / "ck").iterdir())
    assert len([n for n in names if n.startswith("seg-")]) <= 2 * 3 + 2
    assert all(p.name in names or not p.name.startswith("seg-")
               for p in (tmp_path / "ck").iterdir())
    resumed, _ = _resume(tmp_path / "ck", spec, 3)
    assert_same(reference, resumed)
    resumed, _ = _resume(copies[7], spec, 3)
    assert_same(reference, resumed)


def test_when_a_checkpoint_is_due():
    """By default: 5 s and a tenth of the run since the last one, and ten times what the last
    took; with every: that many seconds."""
    now = [0.0]
    ck = Checkpoint("/nonexistent", clock=lambda: now[0])
    for t, due in ((4.9, False), (5.0, True), (150.0, True)):
        now[0] = t
        assert ck.due() is due
    ck.last_write, ck.last_cost = 100.0, 2.0
    for t, due in ((115.0, False), (120.0, True)):  # 10 x 2 s
        now[0] = t
        assert ck.due() is due
    ck.last_write, ck.last_cost = 1000.0, 0.0
    for t, due in ((1099.0, False), (1112.0, True)):  # a tenth of 1,112 s
        now[0] = t
        assert ck.due() is due
    fixed = Checkpoint("/nonexistent", every=2.5, clock=lambda: now[0])
    fixed.last_write = now[0] = 0.0
    assert not fixed.due(2.4) and fixed.due(2.5)
    assert store_module.MIN_EVERY == 5.0
