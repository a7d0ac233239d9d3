"""The JSON Schemas of ``flpcheck chance --json`` and of its ``--policy`` file (registered with
the others in :mod:`flpcheck.output.schemas`, from the same shared pieces)."""

from __future__ import annotations

from typing import Any

__all__ = ["CHANCE", "CHANCE_POLICY"]

from .schema_parts import _CUT, _INPUTS, _INT, _NULLABLE_STR, _document

_PROBABILITY = {
    "description": "A probability (or expectation): probability the exact fraction 'p/q' (null "
                   "when only bounds are known), value a float, low and high its bounds "
                   "(fraction strings when exact, else floats), error half their distance.",
    "type": "object", "additionalProperties": False,
    "required": ["probability", "value", "exact", "low", "high", "error"],
    "properties": {"probability": _NULLABLE_STR, "value": {"type": "number"},
                   "exact": {"type": "boolean"}, "low": {"type": ["string", "number"]},
                   "high": {"type": ["string", "number"]}, "error": {"type": "number"}}}
_CHANCE_EVENT = {"type": "array", "prefixItems": [_INT, {}, _INT], "minItems": 2, "maxItems": 3}
_CHANCE_RUN = {"oneOf": [{"type": "null"}, {
    "type": "object", "additionalProperties": False,
    "required": ["inputs", "stem", "cycle", "crashed", "crash_point"],
    "properties": {"inputs": _INPUTS, "stem": {"type": "array", "items": _CHANCE_EVENT},
                   "cycle": {"type": "array", "items": _CHANCE_EVENT},
                   "crashed": {"type": "array", "items": _INT},
                   "crash_point": {"type": ["integer", "null"]}}}]}


def _bound(key: str) -> dict[str, Any]:
    """A probability of deciding within ``key`` (steps or rounds)."""
    return {**_PROBABILITY, "required": [key, *_PROBABILITY["required"]],
            "properties": {key: _INT, **_PROBABILITY["properties"]}}


CHANCE = _document("flpcheck chance --json", {
    "protocol": {"type": "string"}, "processes": _INT,
    "scheduler": {"enum": ["uniform", "adversary"]},
    "termination": {"$ref": "#/$defs/termination"}, "crashes": _INT,
    "configurations": _INT, "events": _INT, "states": _INT, "complete": {"type": "boolean"},
    "cut_reasons": _CUT, "exact": {"type": "boolean"}, "rounds_declared": {"type": "boolean"},
    "initial": {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "required": ["inputs", "valence", "within", "rounds", "eventually", "almost_surely",
                     "expected_steps", "expected_steps_exact", "undecidable", "run"],
        "properties": {
            "inputs": _INPUTS, "valence": {"$ref": "#/$defs/valence"},
            "within": {"type": "array", "items": _bound("steps")},
            "rounds": {"type": "array", "items": _bound("rounds")},
            "eventually": _PROBABILITY, "almost_surely": {"type": ["boolean", "null"]},
            "expected_steps": {"type": ["number", "null"]},
            "expected_steps_exact": _NULLABLE_STR, "undecidable": _INT, "run": _CHANCE_RUN,
        }}},
})
_POLICY_EVENT = {"type": "array", "prefixItems": [_INT, {}], "minItems": 2, "maxItems": 2}
CHANCE_POLICY = _document("flpcheck chance --policy FILE (the adversary's strategy)", {
    "protocol": {"type": "string"}, "processes": _INT,
    "termination": {"$ref": "#/$defs/termination"}, "crashes": _INT,
    "rounds": {"type": ["integer", "null"]},
    "claims": {"type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["inputs", "probability"],
        "properties": {"inputs": _INPUTS, "probability": _NULLABLE_STR}}},
    "entries": {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "required": ["states", "buffer", "crashed"],
        "properties": {"states": {"type": "array"}, "buffer": {"type": "array"},
                       "crashed": {"type": "array", "items": _INT}, "event": _POLICY_EVENT,
                       "crash": _INT, "stay": {"type": "array", "items": _POLICY_EVENT}}}},
})
