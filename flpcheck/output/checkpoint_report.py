"""What a checkpointed run says on stderr as it goes, and ``flpcheck checkpoint info``."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from ..explorer.checkpoint import Notice
from ..explorer.checkpoint.info import CheckpointInfo

__all__ = ["notice_line", "print_checkpoint_info", "size_text"]


def size_text(size: int, configurations: int) -> str:
    """A checkpoint's size and its bytes per configuration.

    >>> size_text(95_100_000, 1_534_567)
    '95.1 MB, 62 B per configuration'
    """
    per = f", {size / configurations:.0f} B per configuration" if configurations else ""
    if size >= 10**9:
        return f"{size / 10**9:.2f} GB{per}"
    return f"{size / 10**6:.1f} MB{per}"


def notice_line(n: Notice) -> str:
    """One line on stderr for a checkpointed run's notice.

    >>> print(notice_line(Notice("level", "/tmp/ck", 12, 1_234_567, 888_889, 24.2, 3)))
    level 12: 1,234,567 configurations, 345,678 to expand, 24 s (last checkpoint: 3)
    """
    configs = f"{n.configurations:,} configurations"
    size = size_text(n.bytes, n.configurations)
    if n.kind == "level":
        last = f"last checkpoint: {n.sequence}" if n.sequence else "no checkpoint yet"
        return (f"level {n.level}: {configs}, {n.configurations - n.expanded:,} to expand, "
                f"{n.seconds:.0f} s ({last})")
    if n.kind == "written":
        if n.finished:
            return (f"checkpoint {n.sequence} written: the exploration is finished, {configs}, "
                    f"{size}, in {n.directory}")
        if n.note:
            return (f"checkpoint {n.sequence} written at the stop ({n.note}), level {n.level}: "
                    f"{configs}, {n.configurations - n.expanded:,} to expand, {size}; go on "
                    f"with --resume {n.directory}")
        return (f"level {n.level}: checkpoint {n.sequence} written, {configs}, "
                f"{n.configurations - n.expanded:,} to expand, {size}, {n.took:.1f} s to write")
    if n.kind == "resumed":
        if n.finished:
            return (f"resumed checkpoint {n.sequence} of {n.directory}: the exploration was "
                    f"finished ({configs}), loaded in {n.took:.1f} s")
        return (f"resumed checkpoint {n.sequence} of {n.directory} at level {n.level}: "
                f"{configs}, {n.configurations - n.expanded:,} to expand, {size}, loaded in "
                f"{n.took:.1f} s")
    if n.kind == "recovered":
        where = (f"reloaded from checkpoint {n.sequence} (level {n.level}, {configs})"
                 if n.sequence else "started again (no checkpoint yet)")
        return f"{n.note}: replaced; every partition {where}"
    if n.kind == "kept":
        if not n.sequence:
            return f"stopped ({n.note}) before the first checkpoint: nothing to resume"
        return (f"stopped ({n.note}): checkpoint {n.sequence} stays the one to resume "
                f"(--resume {n.directory}); what was explored since is not in it")
    last = (f"checkpoint {n.sequence} stays the one to resume" if n.sequence
            else "there is no checkpoint yet")
    return f"checkpoint {n.sequence + 1} could not be written ({n.note}); {last}"


def print_checkpoint_info(console: Console, info: CheckpointInfo) -> None:
    """``flpcheck checkpoint info``'s text: the manifest and the progress."""
    m = info.manifest
    p, g, model = m["progress"], m["graph"], m["model"]
    rows: list[tuple[str, Any]] = [
        ("directory", str(info.directory)),
        ("checkpoint", f"{m['sequence']}, written {m['written']} by flpcheck {m['flpcheck']}"),
        ("model", f"{model['file']} ({model['class']}), sha256 {model['sha256']}"),
        ("N", g["processes"]),
        ("inputs", ",".join(g["inputs"]) if len(g["inputs"]) <= 8
         else f"all {len(g['inputs'])} input vectors" if info.all_inputs
         else f"{len(g['inputs'])} input vectors"),
        ("bounds", ", ".join(f"--{k.replace('_', '-')} {g[k]}"
                             for k in ("max_configs", "max_buffer", "max_depth")
                             if g[k] is not None) or "none"),
        ("reductions", ", ".join(k for k in ("symmetry", "por") if g[k]) or "none"),
        ("engine", info.engine),
        ("progress", info.progress),
        ("cut", ", ".join(p["cut_reasons"]) or "nothing"),
        ("size", f"{size_text(info.bytes, p['configurations'])} in {len(m['files'])} files"),
        ("files", "checked: sizes and checksums match" if info.checked
         else "not checked (--check reads them)"),
    ]
    for name, value in rows:
        console.print(f"{name + ':':<12}{value}", markup=False, highlight=False,
                      soft_wrap=True)
