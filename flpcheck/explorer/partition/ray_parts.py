"""The partitions as Ray actors (``flpcheck explore --workers K [--ray-address ADDR]``).

Without an address a local Ray is started for the run and shut down after it; with one (or
``RAY_ADDRESS``) the run joins that cluster, ships the model's directory and flpcheck itself
with the job (``runtime_env``: ``working_dir`` and ``py_modules``) and spreads the actors over
the nodes. Successor batches go from actor to actor through Ray's object store: the driver
passes references, never the arrays.

Each actor loads the model file under the module name the driver gave it, so the protocol
object (pickled with its attributes) and every state and payload travel between processes by
reference to the same classes. A model error in an actor is raised here as itself; an actor
that dies (killed, out of memory, its node lost) ends the run with :class:`WorkerLost`, unless
the run writes checkpoints: then it is replaced (:meth:`RayParts.replace_lost`) and every
partition reloaded from the last checkpoint.
Waiting is done in short slices, so a signal (Ctrl-C) is seen within a fraction of a second.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import pickle
import re
import sys
from pathlib import Path
from typing import Any

from ...errors import FLPCheckError, UsageError, WorkerLost
from ...model.protocol import Protocol
from .parts import Method, Parts
from .worker import Partition

__all__ = ["RayParts", "require_ray"]

START_TIMEOUT = 120.0
"""Seconds to wait for the workers to start (then the cluster has no room for them)."""
WAIT_SLICE = 0.25
"""Seconds per wait on Ray, between which signals are handled."""
_PLAIN = re.compile(r"\x1b\[[0-9;]*m")  # terminal colours in Ray's messages
EXCLUDES = [".git", ".venv", "venv", "__pycache__", "*.pyc", ".ipynb_checkpoints", "*.ipynb",
            ".pytest_cache", ".hypothesis", "node_modules", "*.svg", "*.png", "*.pdf"]


def require_ray() -> Any:
    """The ray module, or a usage error saying how to install it."""
    try:
        import ray
    except ImportError:
        raise UsageError("--workers and --ray-address run on Ray, which is not installed: "
                         "pip install 'flpcheck[ray]'") from None
    return ray


def _errors_to_stderr() -> None:
    """Ray's driver prints the error messages its raylet publishes (a worker died, ...) on
    stdout, where they would break a command's --json output: send them to stderr."""
    try:
        import ray._private.worker as ray_worker
    except ImportError:
        return
    original = getattr(ray_worker, "print_to_stdstream", None)
    if original is None or getattr(original, "flpcheck_stderr", False):
        return

    def to_stderr(data: dict[str, Any], ignore_prefix: bool) -> None:
        original({**data, "is_err": True}, ignore_prefix)

    to_stderr.flpcheck_stderr = True  # type: ignore[attr-defined]
    ray_worker.print_to_stdstream = to_stderr


def _model_source(protocol: Protocol) -> tuple[str, Path]:
    """The module name and file the protocol's class was loaded from."""
    module = sys.modules.get(type(protocol).__module__)
    path = getattr(module, "__file__", None)
    if path is None:
        raise UsageError(f"{type(protocol).__name__}: --workers needs a model loaded from a file")
    return type(protocol).__module__, Path(path).resolve()


def _return_freed_memory() -> None:
    """Have glibc map blocks of 32 MiB and more (given back to the system when freed) and trim
    the heap's top past 128 KiB. (A lower mapping threshold would also return numpy's
    temporaries of a few MB, but measured 2.5x the CPU: every new array page-faults.)"""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 << 17)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc
        pass


def _own_package() -> None:
    """Make ``flpcheck`` in this worker the package this module is part of.

    A local Ray puts the directory the run was started from first on its workers' path. A
    folder named ``flpcheck`` there (the directory holding a checkout, say) then becomes
    ``import flpcheck`` in the worker, an empty namespace package, while the submodules
    still come from the installed package: a model's ``from flpcheck import Protocol``
    failed. The package is loaded again from this module's own location."""
    package = Path(__file__).resolve().parents[2]  # flpcheck/
    top = sys.modules.get("flpcheck")
    where = getattr(top, "__file__", None)
    if top is not None and where is not None and Path(where).resolve().parent == package:
        return
    spec = importlib.util.spec_from_file_location(
        "flpcheck", package / "__init__.py", submodule_search_locations=[str(package)])
    if spec is None or spec.loader is None:
        raise UsageError(f"{package}: cannot load flpcheck in a Ray worker")
    module = importlib.util.module_from_spec(spec)
    sys.modules["flpcheck"] = module
    spec.loader.exec_module(module)


class _Actor(Partition):
    """A partition in a Ray actor: loads the model, then behaves as :class:`Partition`."""

    def __init__(self, k: int, K: int, model: dict[str, Any], origin: str,
                 max_buffer: int | None) -> None:
        _own_package()
        name = model["module"]
        if name not in sys.modules:
            path = Path(model["file"]) if not model["shipped"] else Path.cwd() / model["name"]
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise UsageError(f"{path}: cannot load the model in a Ray worker")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        _return_freed_memory()
        super().__init__(k, K, pickle.loads(model["protocol"]), origin, max_buffer)

    def ping(self) -> tuple[int, str]:
        import ray

        return os.getpid(), ray.get_runtime_context().get_node_id()


class RayParts(Parts):
    """K partitions as Ray actors."""

    def __init__(self, K: int, protocol: Protocol, origin: str, max_buffer: int | None,
                 address: str | None) -> None:
        ray = self.ray = require_ray()
        # the errors of tasks left behind by a lost worker are handled here, not logged
        os.environ.setdefault("RAY_IGNORE_UNHANDLED_ERRORS", "1")
        _errors_to_stderr()
        self.K = K
        self.address = address
        module, path = _model_source(protocol)
        shipped = address is not None
        self.started = False
        if not ray.is_initialized():
            if address is None:
                ray.init(address="local", num_cpus=max(K, os.cpu_count() or 1),
                         include_dashboard=False, logging_level="ERROR", log_to_driver=False)
            else:
                package = Path(__file__).resolve().parents[2]  # flpcheck/, shipped whole
                env = {"working_dir": str(path.parent), "excludes": EXCLUDES,
                       "py_modules": [str(package)]}
                try:
                    ray.init(address=address, runtime_env=env, logging_level="ERROR",
                             log_to_driver=False)
                except ConnectionError as err:
                    raise UsageError(f"--ray-address {address}: {err}") from None
            self.started = True
        model = {"module": module, "file": str(path), "name": path.name, "shipped": shipped,
                 "protocol": pickle.dumps(protocol)}
        # on a cluster each worker asks for a CPU (placement); on this machine none are
        # reserved, so that runs in one process never wait for each other's workers
        actor = ray.remote(num_cpus=1 if shipped else 0, max_restarts=0,
                           max_task_retries=0)(_Actor)
        self._make = lambda k: actor.options(scheduling_strategy="SPREAD").remote(
            k, K, model, origin, max_buffer)
        self.actors = [self._make(k) for k in range(K)]
        self.where = self._started(self.actors, K)

    def _started(self, actors: list[Any], K: int) -> list[tuple[int, str]]:
        """Wait for ``actors`` to start (their pids and nodes)."""
        ray = self.ray
        pings = [a.ping.remote() for a in actors]
        ready, _ = ray.wait(pings, num_returns=len(pings), timeout=START_TIMEOUT)
        if len(ready) < len(pings):
            free = ray.available_resources().get("CPU", 0)
            self.shutdown()
            raise UsageError(f"{K} Ray workers did not start within {START_TIMEOUT:.0f} s (each "
                             f"asks for one CPU; the cluster has {free:g} free): use fewer "
                             "--workers or a larger cluster")
        return list(self.get(pings))

    def replace_lost(self) -> list[int]:
        """Start a new worker in place of each one that died (its partition empty)."""
        ray = self.ray
        lost = []
        for k, a in enumerate(self.actors):
            try:
                ray.get(a.ping.remote(), timeout=START_TIMEOUT)
            except Exception:  # dead (or unreachable): replaced
                lost.append(k)
        for k in lost:
            try:
                ray.kill(self.actors[k])
            except Exception:
                pass
            self.actors[k] = self._make(k)
        fresh = self._started([self.actors[k] for k in lost], len(lost))
        for k, where in zip(lost, fresh, strict=True):
            self.where[k] = where
        return lost

    def describe(self) -> str:
        nodes = len({node for _, node in self.where})
        where = "a local Ray" if self.address is None else f"the Ray cluster at {self.address}"
        return f"{self.K} workers on {where} ({nodes} node{'s' if nodes > 1 else ''})"

    def call(self, method: Method, args: Any, returns: int = 1) -> list[Any]:
        out = []
        for actor, a in zip(self.actors, args, strict=True):
            m = getattr(actor, method.__name__)
            if returns > 1:
                m = m.options(num_returns=returns)
            out.append(m.remote(*a))
        return out

    def get(self, handles: Any) -> Any:
        ray = self.ray
        refs = handles if isinstance(handles, list) else [handles]
        flat = [r for r in refs if isinstance(r, ray.ObjectRef)]
        try:
            pending = flat
            while pending:  # short waits: a signal handler runs between them
                _, pending = ray.wait(pending, num_returns=len(pending), timeout=WAIT_SLICE)
            values = ray.get(refs)
        except ray.exceptions.RayTaskError as err:
            cause = getattr(err, "cause", None)
            if isinstance(cause, FLPCheckError):
                raise cause from None
            if isinstance(cause, Exception) and not isinstance(cause, ray.exceptions.RayError):
                raise cause from err
            raise self._lost(err) from None
        except ray.exceptions.RayError as err:
            raise self._lost(err) from None
        return values if isinstance(handles, list) else values[0]

    def _lost(self, err: Exception) -> WorkerLost:
        if getattr(err, "actor_init_failed", False):  # it raised while starting: say what
            text = _PLAIN.sub("", str(getattr(err, "error_msg", "") or err)).strip()
            last = text.splitlines()[-1].strip() if text else type(err).__name__
            return WorkerLost(f"a Ray worker could not start: {last}; the run is stopped")
        text = _PLAIN.sub("", str(err)).strip()
        first = text.splitlines()[0] if text else type(err).__name__
        lost = WorkerLost(f"a Ray worker of the run died ({type(err).__name__}: {first}); the "
                          "run is stopped. If it ran out of memory, use more nodes (--workers) "
                          "or a smaller model")
        lost.reason = f"{type(err).__name__}: {first}"  # type: ignore[attr-defined]
        return lost

    def share(self, value: Any) -> Any:
        return self.ray.put(value)

    def one(self, k: int, method: Method, *args: Any) -> Any:
        return self.get(getattr(self.actors[k], method.__name__).remote(*args))

    def shutdown(self) -> None:
        ray = self.ray
        for a in getattr(self, "actors", ()):
            try:
                ray.kill(a)
            except Exception:  # already dead, or Ray already shut down
                pass
        self.actors = []
        if self.started and ray.is_initialized():
            ray.shutdown()
        self.started = False
