"""Build clean notebooks (no outputs, deterministic cell ids) with nbformat."""
import os
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(os.environ.get("NOTEBOOKS_OUT", Path(__file__).resolve().parent.parent))

SETUP = '''\
# Setup: find the repository root, so the notebook runs from notebooks/ or from the repo root.
from pathlib import Path


def find_repo_root(start=None):
    """Walk up from the working directory until a folder holding models/ and flpcheck/."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "models").is_dir() and (folder / "flpcheck").is_dir():
            return folder
    raise FileNotFoundError(f"no flpcheck repository (a folder with models/) above {here}")


ROOT = find_repo_root()
MODELS = ROOT / "models"
print("models from", MODELS)'''

TABLE = '''\
from IPython.display import Markdown, display


def table(headers, rows):
    """A Markdown table (Jupyter renders it; plain text elsewhere)."""
    cell = lambda v: str(v).replace("|", "\\\\|")
    lines = ["| " + " | ".join(map(cell, headers)) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return Markdown("\\n".join(lines))'''


def md(text):
    return ("md", textwrap.dedent(text).strip("\n"))


def code(text):
    return ("code", textwrap.dedent(text).strip("\n"))


def hidden(text):
    """A code cell whose source Jupyter shows collapsed (a solution: click to show it)."""
    return ("hidden", textwrap.dedent(text).strip("\n"))


def build(name, cells):
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    stem = name.split("_")[0]
    for i, (kind, text) in enumerate(cells):
        cell = new_markdown_cell(text) if kind == "md" else new_code_cell(text)
        if kind == "hidden":
            cell.metadata["jupyter"] = {"source_hidden": True}
        cell.id = f"nb{stem}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.ipynb"
    with open(path, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    return path
