"""The files of a checkpoint: segments of arrays and one manifest, each written atomically and
read only after its checksum is verified.

A *segment* holds what one engine (or one partition) added since its last checkpoint: named
numpy arrays laid end to end after a small JSON header. It is written to ``NAME.tmp``, flushed
to disk (``fsync``) and renamed to ``NAME``; its size and CRC-32 go into the manifest. The
*manifest* (``manifest.json``) lists every segment a checkpoint is made of, with the
exploration's progress and what the run was asked to explore; it carries a CRC-32 of its own
content and is replaced last, by a rename, once every segment it names is on disk. So a kill
at any moment leaves either the old manifest and its segments, or the new ones: a segment that
no manifest names (a write cut short) is deleted by the next run using the directory.

A file whose size or checksum differs from what the manifest says is never parsed: reading it
raises :class:`~flpcheck.errors.CheckpointError` naming the file.
"""

from __future__ import annotations

import io
import json
import os
import signal
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ...errors import CheckpointError

__all__ = ["MANIFEST", "SEGMENT_MAGIC", "write_segment", "read_segment", "verify_file",
           "write_manifest", "read_manifest", "sync_directory", "crash_point"]

MANIFEST = "manifest.json"
SEGMENT_MAGIC = b"FLPCHECK SEGMENT 1\n"
_CHUNK = 1 << 24  # bytes written (and checksummed) at a time
CRASH_ENV = "FLPCHECK_CHECKPOINT_CRASH"
"""Test hook: ``POINT:N`` kills this process with SIGKILL the N-th time the checkpoint code
reaches ``POINT`` (see :func:`crash_point`); ``POINT:N:INT`` sends it SIGINT instead (Ctrl-C)."""
DURABLE = True
"""fsync each file before its rename and the directory after (tests in one process, which
lose no power, turn it off to stay fast; a kill -9 needs no fsync: the kernel keeps what was
written)."""
_reached: dict[str, int] = {}
#: where to read an array of a segment: (name, dtype, shape) -> a writable array, or None
Destination = Callable[[str, np.dtype, tuple[int, ...]], "npt.NDArray[Any] | None"]


def crash_point(point: str) -> None:
    """Die here, by SIGKILL, when the environment asks for it (tests place a kill -9 at a
    precise moment of a checkpoint's life: ``boundary`` between two blocks or levels,
    ``segment-half`` half-way through a segment, ``segment`` after the segments,
    ``manifest-half`` half-way through the manifest, ``manifest`` after it)."""
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    name, _, rest = wanted.partition(":")
    if name != point:
        return
    count, _, how = rest.partition(":")
    _reached[point] = _reached.get(point, 0) + 1
    if _reached[point] == int(count or 1):
        os.kill(os.getpid(), signal.SIGINT if how == "INT" else signal.SIGKILL)


def sync_directory(directory: Path) -> None:
    """Make the renames in ``directory`` durable (where the system allows it)."""
    if not DURABLE:
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_segment(path: Path, arrays: dict[str, npt.NDArray[Any]]) -> dict[str, Any]:
    """Write ``arrays`` to ``path`` atomically; returns its manifest entry (name, bytes,
    CRC-32)."""
    layout, offset = [], 0
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        arrays[name] = a
        layout.append({"name": name, "dtype": a.dtype.str, "shape": list(a.shape),
                       "offset": offset, "bytes": a.nbytes})
        offset += a.nbytes
    header = json.dumps({"arrays": layout}).encode()
    head = SEGMENT_MAGIC + len(header).to_bytes(8, "little") + header
    tmp = path.with_name(path.name + ".tmp")
    crc, size = 0, 0
    total = len(head) + offset
    with open(tmp, "wb") as fh:
        for piece in _pieces(head, arrays):
            if size < total // 2 <= size + len(piece):
                fh.flush()
                crash_point("segment-half")
            fh.write(piece)
            crc = zlib.crc32(piece, crc)
            size += len(piece)
        fh.flush()
        if DURABLE:
            os.fsync(fh.fileno())
    os.replace(tmp, path)
    return {"name": path.name, "bytes": size, "crc32": crc}


def _pieces(head: bytes, arrays: dict[str, npt.NDArray[Any]]):
    yield memoryview(head)
    for a in arrays.values():
        flat = a.reshape(-1).view(np.uint8).data if a.size else memoryview(b"")
        for at in range(0, len(flat), _CHUNK):
            yield flat[at:at + _CHUNK]


def read_segment(directory: Path, entry: dict[str, Any],
                 into: Destination | None = None) -> dict[str, npt.NDArray[Any]]:
    """The arrays of the segment ``entry`` names, its size and CRC-32 checked (a
    :class:`~flpcheck.errors.CheckpointError` naming the file otherwise). ``into(name, dtype,
    shape)`` may give a writable array of that shape and type to read an array into (no copy:
    the engines' storage); the arrays it does not take are returned. Nothing read is valid
    until this returns."""
    path, fh, size = _open_listed(directory, entry)
    with fh:
        head = fh.read(len(SEGMENT_MAGIC) + 8)
        crc = zlib.crc32(head)
        if not head.startswith(SEGMENT_MAGIC):
            raise _damaged(path, "not a checkpoint segment")
        length = int.from_bytes(head[len(SEGMENT_MAGIC):], "little")
        if length > size:
            raise _damaged(path, "its header is corrupted")
        raw = fh.read(length)
        crc = zlib.crc32(raw, crc)
        try:
            layout = json.loads(raw)["arrays"]
            total = sum(int(a["bytes"]) for a in layout)
            shapes = [(a["name"], np.dtype(a["dtype"]), tuple(int(d) for d in a["shape"]))
                      for a in layout]
        except (ValueError, KeyError, TypeError):
            raise _damaged(path, "its header is corrupted") from None
        if len(head) + length + total != size or any(
                int(np.prod(shape)) * dt.itemsize != int(a["bytes"])
                for (_, dt, shape), a in zip(shapes, layout, strict=True)):
            raise _damaged(path, "its header is corrupted")
        out = {}
        for name, dt, shape in shapes:
            target = into(name, dt, shape) if into is not None else None
            if target is None:
                target = out[name] = np.empty(shape, dtype=dt)
            flat = target.reshape(-1).view(np.uint8).data if target.size else None
            if flat is not None:
                for at in range(0, len(flat), _CHUNK):
                    piece = flat[at:at + _CHUNK]
                    if fh.readinto(piece) != len(piece):
                        raise _damaged(path, "shorter than its header says")
                    crc = zlib.crc32(piece, crc)
    _check_crc(path, crc, entry)
    return out


def verify_file(directory: Path, entry: dict[str, Any]) -> None:
    """Check a file's size and CRC-32 against its manifest entry (reading it through, keeping
    nothing): a :class:`~flpcheck.errors.CheckpointError` naming it when they differ."""
    path, fh, size = _open_listed(directory, entry)
    with fh:
        crc = 0
        while piece := fh.read(_CHUNK):
            crc = zlib.crc32(piece, crc)
    _check_crc(path, crc, entry)


def _open_listed(directory: Path, entry: dict[str, Any]) -> tuple[Path, io.BufferedReader, int]:
    """The file a manifest entry names, opened, with its size checked against the entry."""
    path = directory / entry["name"]
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise _damaged(path, "missing (the manifest lists it)") from None
    size = os.fstat(fh.fileno()).st_size
    if size != entry["bytes"]:
        fh.close()
        raise _damaged(path, f"{size:,} bytes, the manifest says {entry['bytes']:,} "
                             "(truncated or overwritten)")
    return path, fh, size


def _check_crc(path: Path, crc: int, entry: dict[str, Any]) -> None:
    if crc != entry["crc32"]:
        raise _damaged(path, f"checksum {crc:08x}, the manifest says {entry['crc32']:08x} "
                             "(the file is corrupted)")


def _damaged(path: Path, why: str) -> CheckpointError:
    return CheckpointError(f"{path}: {why}: the checkpoint is damaged and cannot be resumed")


def _checksum(body: dict[str, Any]) -> int:
    return zlib.crc32(json.dumps(body, sort_keys=True).encode())


def write_manifest(directory: Path, body: dict[str, Any]) -> int:
    """Replace the manifest atomically (after the segments it names are on disk); returns
    its size in bytes."""
    sync_directory(directory)  # the segments' renames first
    data = (json.dumps({**body, "checksum": _checksum(body)}, indent=1) + "\n").encode()
    tmp = directory / (MANIFEST + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data[:len(data) // 2])
        fh.flush()
        crash_point("manifest-half")
        fh.write(data[len(data) // 2:])
        fh.flush()
        if DURABLE:
            os.fsync(fh.fileno())
    os.replace(tmp, directory / MANIFEST)
    sync_directory(directory)
    return len(data)


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of ``directory`` (None when there is none), its checksum verified."""
    path = directory / MANIFEST
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        body = {k: v for k, v in data.items() if k != "checksum"}
        ok = isinstance(data, dict) and data.get("checksum") == _checksum(body)
    except (ValueError, AttributeError):
        ok = False
    if not ok:
        raise CheckpointError(f"{path}: its checksum does not match its content (the file is "
                              "corrupted or was edited): the checkpoint cannot be resumed")
    return body
