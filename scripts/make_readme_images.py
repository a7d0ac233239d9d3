"""Regenerate the README's images in docs/images/ from the models in models/.

    python scripts/make_readme_images.py          # needs Graphviz's dot on PATH

Each image is one view of one model (see ``flpcheck render --help``); the same pictures come
from the command line, e.g. ``flpcheck render models/majority.py -n 3 --view quotient
-o docs/images/majority_quotient.svg``. The output is deterministic for one Graphviz version.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flpcheck import explore, render
from flpcheck.errors import FLPCheckError
from flpcheck.model.loader import load_protocol
from flpcheck.output.render import write_image

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"

#: (file name, model, N, view): what the README shows
FIGURES = [
    ("leader_broadcast_full.svg", "leader_broadcast.py", 2, "full"),
    ("majority_initial.svg", "majority.py", 3, "initial"),
    ("majority_quotient.svg", "majority.py", 3, "quotient"),
    ("majority_lemma3.svg", "majority.py", 3, "lemma3"),
]


def main() -> int:
    """Write every figure; return the exit code."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    try:
        for name, model, n, view in FIGURES:
            space = explore(load_protocol(str(ROOT / "models" / model), n))
            out = write_image(render(space, view), IMAGES / name)
            print(f"{out.relative_to(ROOT)}: {view} view of {model} with N={n}, "
                  f"{len(space):,} configurations")
    except FLPCheckError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
