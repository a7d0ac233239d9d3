"""The pieces every JSON Schema of :mod:`flpcheck.output.schemas` shares: the draft, the
shared definitions (an event, a schedule, a run, a property, a valence, a termination) and the
document wrapper that carries them."""

from __future__ import annotations

from typing import Any

__all__ = ["DEFS", "_document", "_DRAFT", "_BIT", "_OUTPUT", "_INPUTS", "_NULLABLE_STR",
           "_INT", "_CUT"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"

_BIT = {"type": "integer", "enum": [0, 1]}
_OUTPUT = {"enum": [None, 0, 1]}
_INPUTS = {"type": "array", "items": _BIT}
_NULLABLE_STR = {"type": ["string", "null"]}

DEFS: dict[str, Any] = {
    "event": {
        "description": "[pid, payload]: process pid receives payload (null: a null step); "
                       "[pid, payload, outcome] for a step left to chance: outcome is chance's "
                       "choice, the index among the step's distinct results.",
        "type": "array",
        "prefixItems": [{"type": "integer", "minimum": 0}, {}, {"type": "integer", "minimum": 0}],
        "minItems": 2, "maxItems": 3,
    },
    "events": {"type": "array", "items": {"$ref": "#/$defs/event"}},
    "schedule": {
        "description": "Events applied in order from the initial configuration I(inputs).",
        "type": "object", "required": ["inputs", "events"], "additionalProperties": False,
        "properties": {"inputs": _INPUTS, "events": {"$ref": "#/$defs/events"}},
    },
    "run": {
        "description": "A lasso: from I(inputs) the stem, then the cycle forever; the crashed "
                       "processes take no step after crash_point events of the stem.",
        "type": "object", "additionalProperties": False,
        "required": ["inputs", "stem", "cycle", "crashed", "crash_point"],
        "properties": {
            "inputs": _INPUTS, "stem": {"$ref": "#/$defs/events"},
            "cycle": {"$ref": "#/$defs/events"},
            "crashed": {"type": "array", "items": {"type": "integer"}},
            "crash_point": {"type": ["integer", "null"]},
        },
    },
    "nondeciding": {
        "description": "Is there an admissible run with at most `crashes` crashes that never "
                       "decides? exists: true (with the run), false (the complete graph has "
                       "none), null (not established: reason says why).",
        "type": "object", "additionalProperties": False,
        "required": ["crashes", "exists", "reason", "run"],
        "properties": {
            "crashes": {"type": "integer", "minimum": 0},
            "exists": {"type": ["boolean", "null"]},
            "reason": _NULLABLE_STR,
            "run": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/run"}]},
        },
    },
    "property": {
        "description": "holds: true (certain unless `certain` is false: then only in the "
                       "explored part), false (violated: certain), null (not established).",
        "type": "object", "required": ["holds", "certain", "detail", "schedule"],
        "additionalProperties": False,
        "properties": {
            "holds": {"type": ["boolean", "null"]},
            "certain": {"type": "boolean"},
            "detail": {"type": "string"},
            "schedule": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/schedule"}]},
            "witnesses": {"type": "object",
                          "additionalProperties": {"$ref": "#/$defs/schedule"}},
        },
    },
    "valence_counts": {
        "type": "object", "additionalProperties": False,
        "required": ["bivalent", "0-valent", "1-valent", "none"],
        "properties": {k: {"type": "integer", "minimum": 0}
                       for k in ("bivalent", "0-valent", "1-valent", "none")},
    },
    "valence": {"enum": ["bivalent", "0-valent", "1-valent", "none"]},
    "termination": {
        "description": "What a deciding run is: some process decides (FLP's definition), or "
                       "all: every process that keeps taking steps decides.",
        "enum": ["some", "all"],
    },
}


def _document(title: str, properties: dict[str, Any], required: list[str] | None = None,
              extra: bool = False) -> dict[str, Any]:
    return {
        "$schema": _DRAFT,
        "title": title,
        "type": "object",
        "required": list(properties) if required is None else required,
        "additionalProperties": extra,
        "properties": properties,
        "$defs": DEFS,
    }


_INT = {"type": "integer", "minimum": 0}
_CUT = {"type": "array", "items": {"enum": ["max-configs", "max-buffer", "max-depth",
                                            "timeout", "max-memory", "interrupted"]}}
