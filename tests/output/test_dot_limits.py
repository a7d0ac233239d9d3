"""Pictures at any size: a full view past the readable limit is drawn as the quotient with a
note; a picture past the node/edge limits is refused before dot runs; dot has a time limit and
never outlives flpcheck (killed on the time limit, on SIGTERM, and on Linux when flpcheck dies).

The dot stand-in is ``sleep``: a process that would run far past every limit, so each test
asserts that flpcheck stopped it, not how fast dot is.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import graphviz
import pytest
from click.testing import CliRunner

from flpcheck.cli import main
from flpcheck.errors import FLPCheckError
from flpcheck.output.render import (
    DOT_NODES,
    DotTimeout,
    PictureTooLarge,
    readable_view,
    write_image,
)
from flpcheck.output.render.dot import picture_size, run_dot

from ..paths import MODELS

needs_dot = pytest.mark.skipif(subprocess.run(["which", "dot"], capture_output=True).returncode,
                               reason="Graphviz's dot is not installed")


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _sleeper(started: list[subprocess.Popen[bytes]]):
    def popen(args, **kwargs):
        proc = subprocess.Popen(["sleep", "60"], **kwargs)
        started.append(proc)
        return proc
    return popen


def test_a_dot_past_its_time_limit_is_stopped_and_reaped():
    started: list[subprocess.Popen[bytes]] = []
    with pytest.raises(DotTimeout, match="--dot-timeout"):
        run_dot("digraph {}", "svg", seconds=0.2, popen=_sleeper(started))
    (proc,) = started
    assert proc.returncode is not None  # killed and waited for: no process left behind


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG")
@pytest.mark.parametrize("how", [pytest.param(signal.SIGTERM, marks=pytest.mark.slow),
                                 signal.SIGKILL])
def test_dot_does_not_outlive_flpcheck(tmp_path, how):
    """A flpcheck process drawing (dot: a sleep of 60 s) is ended by SIGTERM or SIGKILL;
    its dot child ends with it (SIGTERM: killed on the way out; SIGKILL: by the kernel)."""
    script = tmp_path / "draw.py"
    script.write_text(
        "import subprocess, sys\n"
        "from flpcheck.output.render.dot import run_dot\n"
        "def popen(args, **kw):\n"
        "    p = subprocess.Popen(['sleep', '60'], **kw)\n"
        "    print(p.pid, flush=True)\n"
        "    return p\n"
        "run_dot('digraph {}', 'svg', seconds=60, popen=popen)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert _alive(child)
        time.sleep(0.2)  # let communicate() start (the SIGTERM handler is in place)
        parent.send_signal(how)
        parent.wait(timeout=10)
        for _ in range(100):
            if not _alive(child):
                break
            time.sleep(0.05)
        assert not _alive(child)
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()


def test_a_picture_past_the_node_limit_is_refused_before_dot_runs(tmp_path, monkeypatch):
    g = graphviz.Digraph()
    for i in range(DOT_NODES + 1):
        g.node(f"c{i}")
    assert picture_size(g) == (DOT_NODES + 1, 0)
    monkeypatch.setattr("flpcheck.output.render.run_dot",
                        lambda *a, **k: pytest.fail("dot ran"))
    monkeypatch.setattr("flpcheck.output.render.require_dot", lambda what="": None)
    with pytest.raises(PictureTooLarge, match="--view quotient") as err:
        write_image(g, tmp_path / "big.svg")
    assert isinstance(err.value, FLPCheckError) and err.value.exit_code == 2
    assert not (tmp_path / "big.svg").exists()
    write_image(g, tmp_path / "big.dot")  # the source is written whatever its size
    assert (tmp_path / "big.dot").read_text().count("\tc") == DOT_NODES + 1


def test_the_full_view_past_the_limit_is_the_quotient_with_a_note():
    """Majority N=3 has 2,542 configurations (past 150): --view full draws the quotient and
    says so; leader_broadcast N=2 (under 150, the gallery's full view) is drawn whole."""
    from flpcheck import explore
    from flpcheck.model.loader import load_protocol

    big = explore(load_protocol(str(MODELS / "majority.py")))
    view, note = readable_view(big, "full")
    assert view == "quotient" and f"{len(big):,} configurations" in note
    small = explore(load_protocol(str(MODELS / "leader_broadcast.py"), processes=2))
    assert len(small) <= 150 and readable_view(small, "full") == ("full", "")
    for other in ("witness", "lemma3", "quotient", "sequence", "initial"):
        assert readable_view(big, other) == (other, "")


@needs_dot
def test_render_full_on_a_large_graph_exits_0_with_a_note(tmp_path):
    """Two-phase commit, N=3: 227 configurations and 992 events, past 150 and 600."""
    model = str(MODELS / "two_phase_commit.py")
    out = tmp_path / "m.svg"
    result = CliRunner().invoke(main, ["render", model, "--view", "full", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout and "quotient view of 227 configurations" in result.stdout
    assert "note: 227 configurations and 992 events are past" in result.stderr
    assert "merged by valence and depth" in out.read_text()
    dot = tmp_path / "m.dot"
    result = CliRunner().invoke(main, ["render", model, "--view", "full", "-o", str(dot)])
    assert result.exit_code == 0 and "full view" in result.stdout
    assert "note:" not in result.stderr


@needs_dot
def test_render_past_its_dot_timeout_exits_2_naming_the_option(tmp_path):
    """A microsecond is less than dot needs to start: it is stopped, nothing is written."""
    out = tmp_path / "i.svg"
    result = CliRunner().invoke(main, ["render", str(MODELS / "majority.py"), "--view",
                                       "initial", "--dot-timeout", "0.000001", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "--dot-timeout" in result.output and not out.exists()


def test_a_picture_shown_in_a_notebook_is_checked_and_timed_like_a_written_one(monkeypatch):
    """Every view is a Picture: displayed in Jupyter (its _repr_ methods) it refuses a picture
    past the limits before dot starts, as writing an image does (Majority N = 3's full view:
    2,543 configurations, past DOT_NODES), and gives dot the same time limit (a stand-in dot
    that only sleeps is stopped after the limit instead of hanging the notebook); a small
    view draws."""
    import flpcheck
    from flpcheck.output.render import dot

    small = flpcheck.render(flpcheck.explore_file(str(MODELS / "leader_broadcast.py"), 3),
                            "quotient")
    assert isinstance(small, dot.Picture)
    assert small._repr_image_svg_xml().lstrip().startswith("<?xml")
    full = flpcheck.render(flpcheck.explore_file(str(MODELS / "majority.py"), 3), "full")
    assert picture_size(full)[0] > DOT_NODES
    monkeypatch.setattr(dot, "run_dot", lambda *a, **k: pytest.fail("dot ran"))
    with pytest.raises(PictureTooLarge):
        full._repr_image_png()
    monkeypatch.undo()
    started: list = []
    monkeypatch.setattr(dot, "DOT_SECONDS", 0.3)
    monkeypatch.setattr(dot, "run_dot", lambda source, fmt, seconds, what: run_dot(
        source, fmt, seconds, what, popen=_sleeper(started)))
    t = time.monotonic()
    with pytest.raises(DotTimeout):
        small._repr_image_svg_xml()
    assert time.monotonic() - t < 10 and started and started[0].poll() is not None
