"""The termination curves of ``flpcheck chance --plot``: uniform scheduler and adversary side by
side (matplotlib, an optional extra: ``pip install 'flpcheck[plot]'``).

Left, the uniform scheduler: the probability of having decided within k events, k = 0, 1, ...,
one line per initial configuration (configurations with the same curve share a line), its
eventual probability dashed. Right, the adversary: the minimum over fair adversaries of the
probability of deciding within R rounds where the model counts rounds (points joined by
steps), else within k events (mostly 0: a scheduler may stall).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..analysis.chance.analyse import ChanceResult
from ..errors import UsageError

__all__ = ["check_plot_path", "write_plot", "PLOT_FORMATS"]

PLOT_FORMATS = (".svg", ".png")


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'flpcheck[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def check_plot_path(path: str | os.PathLike[str]) -> None:
    """Refuse, before any work, a file type that is not drawn or a missing matplotlib."""
    suffix = Path(path).suffix.lower()
    if suffix not in PLOT_FORMATS:
        raise UsageError(f"--plot {path}: use a .svg or .png file")
    _pyplot()


def _groups(result: ChanceResult, column) -> list[tuple[str, int]]:
    """(label, representative index) for each distinct curve among the initial configs."""
    seen: dict[tuple, list[str]] = {}
    first: dict[tuple, int] = {}
    for j, init in enumerate(result.initial):
        key = column(j)
        seen.setdefault(key, []).append("".join(map(str, init.inputs)))
        first.setdefault(key, j)
    return [(", ".join(names), first[key]) for key, names in seen.items()]


def write_plot(path: str | os.PathLike[str], uniform: ChanceResult,
               adversary: ChanceResult) -> Path:
    """Draw both curves into ``path`` (.svg or .png)."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    curve = uniform.curve
    for label, j in _groups(uniform, lambda j: tuple(curve[:, j].round(9)) if len(curve)
                            else ()):
        if len(curve):
            line, = left.plot(range(len(curve)), curve[:, j], label=label)
            left.axhline(uniform.initial[j].eventually.value, color=line.get_color(),
                         linestyle="--", linewidth=0.8)
    left.set_title(f"{uniform.protocol}: uniform scheduler")
    left.set_xlabel("events")
    left.set_ylabel("P(decided)")
    left.set_ylim(-0.02, 1.02)
    if adversary.has_rounds and adversary.initial and adversary.initial[0].rounds:
        for label, j in _groups(adversary, lambda j: tuple(
                e.value for _, e in adversary.initial[j].rounds)):
            pts = adversary.initial[j].rounds
            right.step([0] + [r for r, _ in pts], [0.0] + [e.value for _, e in pts],
                       where="post", marker="o", label=label)
        right.set_xlabel("rounds")
        from matplotlib.ticker import MaxNLocator

        right.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        adv = adversary.curve
        for label, j in _groups(adversary, lambda j: tuple(adv[:, j].round(9)) if len(adv)
                                else ()):
            if len(adv):
                right.plot(range(len(adv)), adv[:, j], label=label)
        right.set_xlabel("events")
    right.set_title(f"adversary (fair, {adversary.crashes} crash"
                    f"{'' if adversary.crashes == 1 else 'es'}), coins fair")
    for ax in (left, right):
        ax.grid(True, alpha=0.3)
        ax.legend(title="inputs", fontsize="small")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
