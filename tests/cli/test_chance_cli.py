"""flpcheck chance on the command line: exact text, JSON against its schema, exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from flpcheck.cli import main
from flpcheck.output.schemas import validate

from ..paths import FIXTURES, MODELS

COIN_PAIR = str(FIXTURES / "chance" / "coin_pair.py")


def run(*args):
    return CliRunner().invoke(main, ["chance", *args])


def test_the_text_report_of_coin_pair():
    """The figures worked out by hand in tests/analysis/test_chance_by_hand.py."""
    result = run(COIN_PAIR, "--inputs", "00", "--within", "3,4")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "CoinPair, N=2: 21 configurations, 68 events"
    assert "inputs  valence   3 events  4 events  eventually  expected events" in lines
    assert "00      bivalent  0         1/36      1/2         infinite" in lines
    assert "every figure is an exact fraction" in lines
    assert "  from 00: 8 reachable configurations are unable to reach a configuration where " \
           "every process has decided" in lines


def test_json_matches_the_schema_and_the_figures():
    result = run(COIN_PAIR, "--inputs", "00", "--within", "4", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    validate("chance", data)
    init = data["initial"][0]
    assert init["within"][0]["steps"] == 4 and init["within"][0]["probability"] == "1/36"
    assert init["eventually"]["probability"] == "1/2" and init["almost_surely"] is False
    assert init["expected_steps"] is None and data["exact"] is True


def test_the_adversary_against_ben_or_and_its_coinless_twin():
    """The reference figures (models/ben_or.py's docstring): 0, 1/8, 3/16 from mixed inputs;
    0 for every round without the coin, with the run."""
    result = run(str(MODELS / "ben_or.py"), "--scheduler", "adversary", "--inputs", "011",
                 "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    validate("chance", data)
    assert [r["probability"] for r in data["initial"][0]["rounds"]] == ["0", "1/8", "3/16"]
    coinless = run(str(MODELS / "ben_or_coinless.py"), "--scheduler", "adversary",
                   "--inputs", "011")
    assert coinless.exit_code == 0, coinless.output
    assert "011     1-valent  0        0         0         0" in coinless.output
    assert "a run the adversary keeps undecided forever, from 011" in coinless.output


@pytest.mark.parametrize(("args", "message"), [
    (["--crashes", "1"], "--crashes applies to --scheduler adversary"),
    (["--within", "ten"], "--within 'ten': give numbers of events"),
    (["--scheduler", "adversary", "--crashes", "2"], "--crashes 2: use 0..1"),
    (["--plot", "curve.pdf"], "use a .svg or .png file"),
])
def test_usage_errors_exit_2(args, message):
    result = run(COIN_PAIR, *args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_plot_and_drn_files(tmp_path):
    pytest.importorskip("matplotlib")
    png, drn = tmp_path / "c.png", tmp_path / "c.drn"
    result = run(COIN_PAIR, "--inputs", "00", "--plot", str(png), "--drn", str(drn))
    assert result.exit_code == 0, result.output
    assert png.read_bytes().startswith(b"\x89PNG")
    text = drn.read_text()
    assert "@type: DTMC" in text and "@nr_states\n21\n" in text
    assert '// eventually: P=? [F "decided"]' in text
    # the header holds the Storm property of every figure the table shows, within K included
    assert '// within 1 event: P=? [F<=1 "decided"]' in text
    assert '// within 25 events: P=? [F<=25 "decided"]' in text


def test_the_adversary_policy_is_written_replayed_and_valid(tmp_path):
    """Ben-Or from 001: the policy for deciding within 3 rounds achieves the minimum 3/16 when
    replayed by code independent of the analysis (check_policy, through the plain semantics)."""
    from flpcheck import load_protocol
    from flpcheck.analysis.chance.policy import check_policy

    out = tmp_path / "policy.json"
    result = run(str(MODELS / "ben_or.py"), "--scheduler", "adversary", "--inputs", "001",
                 "--policy", str(out))
    assert result.exit_code == 0, result.output
    assert "the adversary's policy for deciding within 3 rounds" in result.output
    data = json.loads(out.read_text())
    validate("chance-policy", data)
    assert data["claims"] == [{"inputs": [0, 0, 1], "probability": "3/16"}]
    got = check_policy(load_protocol(str(MODELS / "ben_or.py")), data)
    assert str(got[(0, 0, 1)]) == "3/16"
    assert run(COIN_PAIR, "--policy", str(out)).exit_code == 2  # uniform: no adversary


def test_a_fraction_of_thousands_of_digits_is_printed_whole_in_json_and_short_in_text():
    """Geometric (its docstring): within 9,100 events the probability is 1 - (2/3)^9100, whose
    denominator has 4,342 digits. The text shows it as ≈1 (too long to print), the JSON holds
    it exactly (it once stopped with an internal error at Python's 4,300-digit guard)."""
    import sys
    from fractions import Fraction

    model = FIXTURES / "chance" / "geometric.py"
    text = CliRunner().invoke(main, ["chance", str(model), "--inputs", "0", "--within", "9100"])
    assert text.exit_code == 0, text.output
    assert "≈1 " in text.output
    result = CliRunner().invoke(main, ["chance", str(model), "--inputs", "0", "--within", "9100",
                                       "--json"])
    assert result.exit_code == 0, result.output
    within = json.loads(result.output)["initial"][0]["within"][0]
    num, den = within["probability"].split("/")
    assert len(den) == 4342
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        assert Fraction(int(num), int(den)) == 1 - Fraction(2, 3) ** 9100
    finally:
        sys.set_int_max_str_digits(limit)


def test_a_floating_point_figure_prints_as_many_decimals_as_its_error_allows():
    """A value known to ±9e-14 printed to 4 significant digits (0.25) was off from the truth
    (0.2499978...) by 10^8 times the error it stated: it prints 14 decimals now; a figure with
    a coarse error keeps at least 4 decimals (2 for expected events)."""
    from flpcheck.analysis.chance.solve import Estimate
    from flpcheck.output.chance_report import format_estimate

    fine = Estimate(0.24999784672553446 - 9e-14, 0.24999784672553446 + 9e-14)
    assert format_estimate(fine) == "0.24999784672553 ±9e-14"
    assert format_estimate(Estimate(0.5 - 0.01, 0.5 + 0.01)) == "0.5000 ±1e-02"
    assert format_estimate(Estimate(12.5 - 0.01, 12.5 + 0.01), expected=True) == "12.50 ±1e-02"
