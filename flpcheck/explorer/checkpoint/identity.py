"""What a checkpoint was written for, and what a resumed run must match.

The *identity* of a run is everything that decides its graph and the ids in it: the model file
(its SHA-256, not its path: a resumed run may load it from elsewhere), the protocol class and
its attributes, N, the input vectors, the bounds (``--max-configs``, ``--max-buffer``,
``--max-depth``), the reductions (``--symmetry``, ``--por``), the engine (one process, or
the partition engine with its number of workers: its ids depend on it) and flpcheck's version.
Stops (``--timeout``, ``--max-memory``, a signal) and what the analyses are asked
(``--termination``, ``--crashes``, the command itself) are not part of it: they may change
between the run that wrote a checkpoint and the one that resumes it.
"""

from __future__ import annotations

import hashlib
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from ...model.inputs import bits
from ...model.protocol import Protocol
from ..statespace import Bounds

__all__ = ["FORMAT", "run_identity", "identity_differences", "flpcheck_version"]

FORMAT = 1
"""The layout of the files; a checkpoint of another format is refused."""


def flpcheck_version() -> str:
    """The version of flpcheck installed."""
    try:
        return metadata.version("flpcheck")
    except metadata.PackageNotFoundError:
        return "unknown"


def run_identity(protocol: Protocol, vectors: list[tuple[int, ...]], bounds: Bounds,
                 symmetry: bool, por: bool, engine: str, workers: int) -> dict[str, Any]:
    """The identity of a run (see the module docstring), as the manifest stores it."""
    cls = type(protocol)
    path = getattr(sys.modules.get(cls.__module__), "__file__", None)
    digest = None
    if path is not None:
        try:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            digest = None
    attributes = {k: repr(v) for k, v in sorted(vars(protocol).items()) if k != "processes"}
    return {"flpcheck": flpcheck_version(),
            "model": {"file": None if path is None else str(Path(path).resolve()),
                      "sha256": digest, "class": cls.__qualname__, "module": cls.__module__,
                      "attributes": attributes},
            "graph": {"processes": protocol.processes, "inputs": [bits(x) for x in vectors],
                      "max_configs": bounds.max_configs, "max_buffer": bounds.max_buffer,
                      "max_depth": bounds.max_depth, "symmetry": symmetry, "por": por},
            "engine": {"name": engine, "workers": workers}}


_NAMES = {"processes": "N (--processes)", "inputs": "--inputs", "max_configs": "--max-configs",
          "max_buffer": "--max-buffer", "max_depth": "--max-depth", "symmetry": "--symmetry",
          "por": "--por"}


def identity_differences(saved: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between a checkpoint's identity and a run's, one phrase each (empty when
    the run may resume it)."""
    out = []
    if saved.get("format") != FORMAT:
        return [f"its files are of format {saved.get('format')}, this flpcheck reads format "
                f"{FORMAT}"]
    if saved["flpcheck"] != now["flpcheck"]:
        out.append(f"flpcheck {saved['flpcheck']} wrote it, this is flpcheck {now['flpcheck']}")
    sm, nm = saved["model"], now["model"]
    if sm["sha256"] != nm["sha256"]:
        out.append(f"the model file differs ({sm['file']} then, sha256 "
                   f"{str(sm['sha256'])[:12]}; {nm['file']} now, sha256 "
                   f"{str(nm['sha256'])[:12]})")
    if sm["class"] != nm["class"]:
        out.append(f"the protocol class: {sm['class']} then, {nm['class']} now")
    if sm["attributes"] != nm["attributes"]:
        out.append(f"the protocol's attributes: {_attributes(sm)} then, {_attributes(nm)} now")
    for key, name in _NAMES.items():
        a, b = saved["graph"][key], now["graph"][key]
        if a != b:
            out.append(f"{name}: {_shown(key, a)} then, {_shown(key, b)} now")
    if saved["engine"] != now["engine"]:
        out.append(f"the engine: {_engine(saved['engine'])} then, {_engine(now['engine'])} "
                   "now")
    return out


def _shown(key: str, value: Any) -> str:
    if key in ("symmetry", "por"):
        return "on" if value else "off"
    if key == "inputs":
        return ",".join(value) if len(value) <= 8 else f"{len(value)} input vectors"
    return "none" if value is None else str(value)


def _engine(engine: dict[str, Any]) -> str:
    if engine["name"] == "partition":
        return f"--workers {engine['workers']} (the partition engine)"
    return f"one process (the {engine['name']} engine)"


def _attributes(model: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in model["attributes"].items()) or "none"
