"""Protocol.ignores: a message its recipient ignores for good leaves the buffer at once.

Checked where it is used: the receipt must change nothing, and the promise must hold along every
local step explored; either mistake is one clear model error (exit 2)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from flpcheck import Protocol, explore
from flpcheck.cli import main
from flpcheck.explorer.simple import SimpleEngine
from flpcheck.model.semantics import Event, replay

from ..paths import FIXTURES


@pytest.mark.parametrize(("name", "fragments"), [
    ("ignores_changes.py", ["ignores(1, 0, 'ping') is True, but step(1, 0, 'ping') changes the "
                            "state or sends something"]),
    ("ignores_forgets.py", ["ignores(1, 1, 'ping') is True, but a step of p1 from there "
                            "reaches 2, where it is False",
                            "a message ignored must stay ignored"]),
])
def test_a_broken_promise_is_a_model_error(name, fragments):
    result = CliRunner().invoke(main, ["explore", str(FIXTURES / "bad" / name)])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    for fragment in fragments:
        assert fragment in text, text


class LateEcho(Protocol):
    """p0 sends 'a' on its first null step (state 0 -> 1), then moves to 2 on the next one and
    stays there; p1 echoes 'a' back as 'b'; receiving 'b' takes p0 from 1 to 11 and changes
    nothing at 2. So at 2, p0 ignores 'b' for good."""

    processes = 2

    def init(self, pid, x):
        return 0

    def step(self, pid, state, msg):
        if pid == 0:
            if msg is None:
                return (1, [(1, "a")]) if state == 0 else (min(state + 1, 2), [])
            return (state, []) if state == 2 else (state + 10, [])
        return (state, [(0, "b")]) if msg == "a" else (state, [])

    def output(self, pid, state):
        return None


class LateEchoIgnored(LateEcho):
    def ignores(self, pid, state, payload):
        return pid == 0 and state == 2


def test_ignored_messages_leave_the_buffer_in_both_engines_and_in_the_replay():
    """Without ignores, 'b' may wait in the buffer while p0 is at 2 (the configuration
    p0 = 2, p1 = 0, 'b' to p0); with ignores it is dropped as soon as p0 is at 2, so that
    configuration never appears, and both engines and the plain replay agree."""
    plain = explore(LateEcho(), [(0, 0)])
    reduced = explore(LateEchoIgnored(), [(0, 0)])
    simple = explore(LateEchoIgnored(), [(0, 0)], engine=SimpleEngine())
    waiting = ((2, 0), ((0, "b"),))

    def configs(space):
        return {(space.configuration(c).states, space.configuration(c).buffer)
                for c in range(len(space))}

    assert waiting in configs(plain)
    assert waiting not in configs(reduced)
    assert configs(simple) == configs(reduced) == configs(plain) - {waiting}
    steps = replay(LateEchoIgnored(), (0, 0), [Event(0, None), Event(1, "a"), Event(0, None)])
    assert steps[1].config.buffer == ((0, "b"),)
    assert steps[2].config.states == (2, 0) and steps[2].config.buffer == ()
