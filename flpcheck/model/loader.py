"""Loading a model: ``path/to/model.py`` or ``path/to/model.py:ClassName``."""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import InvalidProtocol, ModelLoadError
from .protocol import Protocol, check_protocol_class
from .round_protocol import RoundProtocol, check_round_protocol_class

__all__ = ["load_protocol", "load_protocol_class", "load_round_protocol",
           "load_round_protocol_class", "is_round_model", "protocol_classes", "load_module",
           "own_classes", "pick_class", "ModelFile", "open_model"]


def _split(spec: str) -> tuple[Path, str | None]:
    path, sep, name = spec.rpartition(":")
    if sep and path and not name.startswith(("\\", "/")) and name.isidentifier():
        return Path(path), name
    return Path(spec), None


def protocol_classes(path: str | Path) -> list[str]:
    """The names of the Protocol subclasses a model file defines, in definition order."""
    return [c.__name__ for c in own_classes(load_module(Path(path)), Protocol)]


def own_classes(module: ModuleType, base: type) -> list[type]:
    """The subclasses of ``base`` defined in ``module`` itself (not imported), in order."""
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, base)
        and obj is not base
        and obj.__module__ == module.__name__
        and not getattr(obj, "__abstract__", False)
    ]


def pick_class(spec: str, base: type) -> type:
    """The subclass of ``base`` named by ``spec``: ``file.py:ClassName``, or ``file.py`` when
    the file defines exactly one."""
    return _pick(spec, load_module(_split(spec)[0]), base)


def _pick(spec: str, module: ModuleType, base: type) -> type:
    path, name = _split(spec)
    classes = own_classes(module, base)
    kind = base.__name__
    if name is not None:
        cls = getattr(module, name, None)
        if cls is None:
            found = ", ".join(c.__name__ for c in classes) or "none"
            raise ModelLoadError(f"{path}: no class {name} ({kind} subclasses found: {found})")
        if not (inspect.isclass(cls) and issubclass(cls, base)):
            raise ModelLoadError(f"{path}:{name} is not a subclass of flpcheck.{kind}"
                                 + _other_kind(module, base, name))
        return cls
    if not classes:
        raise ModelLoadError(f"{path}: defines no subclass of flpcheck.{kind}"
                             + _other_kind(module, base))
    if len(classes) > 1:
        names = ", ".join(c.__name__ for c in classes)
        raise ModelLoadError(
            f"{path}: defines several {kind} subclasses ({names}); pick one with "
            f"{path}:{classes[0].__name__}"
        )
    return classes[0]


def _other_kind(module: ModuleType, base: type, name: str | None = None) -> str:
    """Why a file holds no model of the kind asked for, when it holds the other kind."""

    other = RoundProtocol if base is Protocol else Protocol
    found = [c for c in own_classes(module, other) if name is None or c.__name__ == name]
    if not found:
        return ""
    if other is RoundProtocol:
        return (f": it holds a synchronous round model ({found[0].__name__}, a RoundProtocol); "
                "witness, lemmas and render apply to the FLP message-buffer model "
                "(flpcheck.Protocol); flpcheck explore checks round models (agreement, "
                "validity and termination over every crash pattern)")
    return (f": it holds an FLP message-buffer model ({found[0].__name__}, a Protocol), not a "
            "synchronous round model")


def load_protocol_class(spec: str) -> type[Protocol]:
    """The Protocol subclass named by ``spec`` (``file.py`` or ``file.py:ClassName``)."""
    return _checked_class(spec, Protocol, check_protocol_class)


def load_round_protocol_class(spec: str) -> type[RoundProtocol]:
    """The RoundProtocol subclass named by ``spec`` (``file.py`` or ``file.py:ClassName``)."""
    return _checked_class(spec, RoundProtocol, check_round_protocol_class)


def _checked_class(spec: str, base: type, check: Callable[[type], None],
                   module: ModuleType | None = None) -> Any:
    cls = pick_class(spec, base) if module is None else _pick(spec, module, base)
    try:
        check(cls)
    except InvalidProtocol as err:
        raise InvalidProtocol(f"{_split(spec)[0]}: {err}") from None
    return cls


def load_protocol(spec: str, processes: int | None = None) -> Protocol:
    """Load ``spec`` and build the protocol with ``processes`` (the class default if None)."""
    return open_model(spec).protocol(processes)


def load_round_protocol(spec: str, processes: int | None = None,
                        rounds: int | None = None) -> RoundProtocol:
    """Load ``spec`` and build it with ``processes`` and ``rounds`` (the class defaults if None)."""
    return open_model(spec).round_protocol(processes, rounds)


def _build(spec: str, cls: type, kwargs: dict[str, Any]) -> Any:
    path, _ = _split(spec)
    try:
        return cls(**kwargs)
    except InvalidProtocol as err:
        raise InvalidProtocol(f"{path}: {err}") from None
    except Exception as exc:
        problem = InvalidProtocol(f"{path}: {cls.__name__}() raised {type(exc).__name__}: {exc}")
        problem.add_note("".join(traceback.format_exception(exc)).rstrip())
        raise problem from None


class ModelFile:
    """A model file executed once (:func:`open_model`): its protocol of either kind, built on
    demand without executing the file again."""

    def __init__(self, spec: str, module: ModuleType) -> None:
        self.spec = spec
        self.module = module

    @property
    def is_round_model(self) -> bool:
        """True when the spec names a RoundProtocol model (see :func:`is_round_model`)."""
        name = _split(self.spec)[1]
        if name is not None:
            cls = getattr(self.module, name, None)
            return inspect.isclass(cls) and issubclass(cls, RoundProtocol)
        return (bool(own_classes(self.module, RoundProtocol))
                and not own_classes(self.module, Protocol))

    def protocol(self, processes: int | None = None) -> Protocol:
        """The Protocol named by the spec, built with ``processes`` (the class default if
        None)."""
        cls = _checked_class(self.spec, Protocol, check_protocol_class, self.module)
        return _build(self.spec, cls, {} if processes is None else {"processes": processes})

    def round_protocol(self, processes: int | None = None,
                       rounds: int | None = None) -> RoundProtocol:
        """The RoundProtocol named by the spec, built with ``processes`` and ``rounds``."""
        cls = _checked_class(self.spec, RoundProtocol, check_round_protocol_class, self.module)
        return _build(self.spec, cls, {"processes": processes, "rounds": rounds})


def open_model(spec: str) -> ModelFile:
    """Execute the model file of ``spec`` (``file.py`` or ``file.py:Class``) once."""
    return ModelFile(spec, load_module(_split(spec)[0]))


def is_round_model(spec: str) -> bool:
    """True when ``spec`` (``file.py`` or ``file.py:Class``) names a RoundProtocol model.

    ``file.py:Class`` is a round model when that class subclasses RoundProtocol; ``file.py``
    when it defines RoundProtocol subclasses and no flpcheck.Protocol subclass. A file that
    cannot be loaded is not (the ordinary loader then reports why).
    """
    try:
        return open_model(spec).is_round_model
    except ModelLoadError:
        return False


def load_module(path: Path) -> ModuleType:
    """Execute a model file as a module (one module name per file path)."""
    if not path.is_file():
        raise ModelLoadError(f"{path}: no such model file")
    module_name = "flpcheck_model_" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    loader_spec = importlib.util.spec_from_file_location(module_name, path)
    if loader_spec is None or loader_spec.loader is None:
        raise ModelLoadError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[module_name] = module
    try:
        loader_spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(module_name, None)
        raise ModelLoadError(
            f"{path}:{exc.lineno}: syntax error: {exc.msg}"
            + (f"\n    {exc.text.rstrip()}" if exc.text else "")
        ) from None
    except Exception as exc:
        sys.modules.pop(module_name, None)
        failure = ModelLoadError(f"{path}: loading the model raised {type(exc).__name__}: {exc}")
        failure.add_note("".join(traceback.format_exception(exc)).rstrip())
        raise failure from None
    return module
