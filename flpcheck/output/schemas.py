"""JSON Schemas (draft 2020-12) of every ``--json`` output, shipped with the package.

``flpcheck schema NAME`` prints one; :func:`schema` returns it as a dict and :func:`validate`
checks a document against it (with the ``jsonschema`` package, an optional dependency used by
the tests). The schemas share their pieces (an event, a schedule, a run), so every output names
the same thing the same way:

- an *event* is ``[pid, payload]``, the payload in its JSON form and ``null`` for the null
  message (payloads are never ``null``: ``None`` is refused as a payload);
- a *schedule* is ``{"inputs": [x_0, ...], "events": [event, ...]}``: events from I(inputs);
- a *run* is a lasso ``{"inputs", "stem", "cycle", "crashed", "crash_point"}``;
- a claim that was not established is ``null``, never ``false``: ``false`` means searched (on a
  complete graph) and not found, or violated.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["SCHEMAS", "schema", "validate"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"

_BIT = {"type": "integer", "enum": [0, 1]}
_OUTPUT = {"enum": [None, 0, 1]}
_INPUTS = {"type": "array", "items": _BIT}
_NULLABLE_STR = {"type": ["string", "null"]}

DEFS: dict[str, Any] = {
    "event": {
        "description": "[pid, payload]: process pid receives payload (null: the null message).",
        "type": "array", "prefixItems": [{"type": "integer", "minimum": 0}, {}],
        "minItems": 2, "maxItems": 2,
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

EXPLORE = _document("flpcheck explore --json (message-buffer model)", {
    "protocol": {"type": "string"},
    "processes": _INT,
    "complete": {"type": "boolean"},
    "cut_reasons": _CUT,
    "bounds": {"type": "object", "properties": {
        k: {"type": ["integer", "null"]} for k in ("max_configs", "max_buffer", "max_depth")}},
    "configurations": _INT,
    "events": _INT,
    "unexpanded": _INT,
    "valence": {"$ref": "#/$defs/valence_counts"},
    "valence_lower_bounds": _INT,
    "initial": {"type": "array", "items": {
        "type": "object", "required": ["inputs", "valence", "certain"],
        "additionalProperties": False,
        "properties": {"inputs": _INPUTS, "valence": {"$ref": "#/$defs/valence"},
                       "certain": {"type": "boolean"}}}},
    "agreement": {"$ref": "#/$defs/property"},
    "validity": {"$ref": "#/$defs/property"},
    "nontriviality": {"$ref": "#/$defs/property"},
    "termination": {"$ref": "#/$defs/termination"},
    "nondeciding": {"$ref": "#/$defs/nondeciding"},
    "seconds": {"type": "number"},
    "symmetry": {"type": "object", "required": ["representatives", "events"],
                 "properties": {"representatives": _INT, "events": _INT}},
    "partial_order": {"type": "object", "required": ["applied", "note"],
                      "properties": {"applied": {"type": "boolean"},
                                     "note": {"type": "string"}}},
}, required=["protocol", "processes", "complete", "cut_reasons", "bounds", "configurations",
             "events", "unexpanded", "valence", "valence_lower_bounds", "initial", "agreement",
             "validity", "nontriviality", "termination", "nondeciding", "seconds"])

_VERDICT = {"enum": ["agreement-violated", "validity-violated", "trivial",
                     "blocks-without-crash", "not-crash-tolerant", "forever-bivalent",
                     "none-found"]}

WITNESS = _document("flpcheck witness --json", {
    "protocol": {"type": "string"},
    "processes": _INT,
    "crashes": _INT,
    "termination": {"$ref": "#/$defs/termination"},
    "verdict": _VERDICT,
    "detail": {"type": "string"},
    "complete": {"type": "boolean"},
    "cut_reasons": _CUT,
    "configurations": _INT,
    "events": _INT,
    "evidence": {"oneOf": [{"type": "null"}, {
        "type": "object", "required": ["property", "schedule"], "additionalProperties": False,
        "properties": {"property": {"type": "string"},
                       "schedule": {"oneOf": [{"type": "null"},
                                              {"$ref": "#/$defs/schedule"}]}}}]},
    "run": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/run"}]},
    "nondeciding": {"$ref": "#/$defs/nondeciding"},
    "stages": {"oneOf": [{"type": "null"}, {"type": "array", "items": {
        "type": "object", "required": ["process", "event", "sigma"],
        "additionalProperties": False,
        "properties": {"process": _INT, "event": {"$ref": "#/$defs/event"},
                       "sigma": {"$ref": "#/$defs/events"}}}}]},
    "cycle_from_stage": {"type": ["integer", "null"]},
})

_CERTS = {"type": "object", "additionalProperties": {"$ref": "#/$defs/events"}}

STAGES = _document("flpcheck witness --stages K --json", {
    "protocol": {"type": "string"},
    "processes": _INT,
    "inputs": _INPUTS,
    "start_certificates": _CERTS,
    "stages": {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "required": ["process", "event", "sigma", "certificates", "queue"],
        "properties": {"process": _INT, "event": {"$ref": "#/$defs/event"},
                       "sigma": {"$ref": "#/$defs/events"}, "certificates": _CERTS,
                       "queue": {"type": "array", "items": _INT}}}},
    "complete": {"type": "boolean"},
    "failure": _NULLABLE_STR,
    "stopped_by": {"type": "array", "items": {"enum": ["cert-configs", "sigma-configs"]}},
    "verdict": {"enum": [None, "agreement-violated", "validity-violated"]},
    "evidence": {"oneOf": [{"type": "null"}, {
        "type": "object", "required": ["property", "detail", "schedule"],
        "additionalProperties": False,
        "properties": {"property": {"type": "string"}, "detail": {"type": "string"},
                       "schedule": {"$ref": "#/$defs/schedule"}}}]},
    "bounds": {"type": "object", "properties": {"cert_configs": _INT, "sigma_configs": _INT}},
})

_ROUND_VERDICT = {
    "type": "object", "required": ["holds", "detail", "violations", "counterexample"],
    "additionalProperties": False,
    "properties": {"holds": {"type": "boolean"}, "detail": {"type": "string"},
                   "violations": _INT,
                   "counterexample": {"oneOf": [{"type": "null"},
                                                {"$ref": "#/$defs/execution"}]}},
}

ROUNDS = _document("flpcheck explore --json (synchronous round model)", {
    "protocol": {"type": "string"},
    "model": {"const": "synchronous rounds"},
    "processes": _INT,
    "rounds": _INT,
    "crashes": _INT,
    "inputs": {"type": "array", "items": {"type": "string", "pattern": "^[01]+$"}},
    "counts": {"type": "object", "required": ["input_vectors", "crash_patterns", "executions",
                                              "global_states", "transitions", "user_calls"],
               "properties": {"global_states": {"type": "array", "items": _INT}},
               "additionalProperties": _INT},
    "agreement": _ROUND_VERDICT,
    "validity": _ROUND_VERDICT,
    "termination": _ROUND_VERDICT,
    "termination_definition": {"$ref": "#/$defs/termination"},
    "seconds": {"type": "number"},
})
ROUNDS["$defs"] = {**DEFS, "execution": {
    "type": "object", "required": ["inputs", "summary", "crashes", "initial_states", "rounds",
                                   "outputs", "live"],
    "properties": {
        "inputs": _INPUTS, "summary": {"type": "string"},
        "crashes": {"type": "array", "items": {
            "type": "object", "required": ["pid", "round", "delivered_to"],
            "properties": {"pid": _INT, "round": _INT,
                           "delivered_to": {"type": "array", "items": _INT}}}},
        "initial_states": {"type": "array"},
        "rounds": {"type": "array", "items": {
            "type": "object",
            "required": ["round", "crashed", "messages", "states", "outputs", "live"],
            "properties": {
                "round": _INT, "crashed": {"type": "array", "items": _INT},
                "messages": {"type": "array", "items": {
                    "type": "object", "required": ["src", "dst", "payload", "delivered"],
                    "properties": {"src": _INT, "dst": _INT, "payload": {},
                                   "delivered": {"type": "boolean"}}}},
                "states": {"type": "array"},
                "outputs": {"type": "array", "items": _OUTPUT},
                "live": {"type": "array", "items": {"type": "boolean"}}}}},
        "outputs": {"type": "array", "items": _OUTPUT},
        "live": {"type": "array", "items": {"type": "boolean"}},
    }}}

_NULLABLE_INT = {"type": ["integer", "null"], "minimum": 0}
_SAFETY = ["agreement", "validity", "write-once"]

SIMULATE = _document("flpcheck simulate --json", {
    "protocol": {"type": "string"},
    "processes": _INT,
    "scheduler": {"enum": ["uniform", "fair", "adversary"]},
    "seed": {"type": "integer"},
    "runs": {"description": "Runs taken (fewer than runs_requested when stopped).", **_INT},
    "runs_requested": _INT,
    "steps": {"description": "The most events a run takes.", **_INT},
    "inputs": {"description": "The input vectors runs start from (null: drawn at random).",
               "oneOf": [{"type": "null"}, {"type": "array", "items": _INPUTS}]},
    "workers": _INT,
    "keep_going": {"type": "boolean"},
    "complete": {"description": "Every requested run was taken.", "type": "boolean"},
    "stopped_by": {"enum": [None, "violation", "interrupted", "timeout", "max-memory"]},
    "events": _INT,
    "distinct_configurations": _INT,
    "distinct_configurations_at_least": {
        "description": "The cap on kept hashes was hit: the count is a lower bound.",
        "type": "boolean"},
    "distinct_configurations_cap": _INT,
    "decided_runs": _INT,
    "decision_rate": {"type": "number", "minimum": 0, "maximum": 1},
    "undecided_runs": {"description": "Runs that reached the step limit with nothing decided.",
                       **_INT},
    "stuck_runs": {"description": "Runs that reached a configuration where nothing can change, "
                                  "with nothing decided.", **_INT},
    "first_decision": {
        "description": "The event at which a run first decided: over the decided runs, with "
                       "a histogram in buckets 0, 1, 2-3, 4-7, ...",
        "type": "object", "additionalProperties": False,
        "required": ["runs", "min", "max", "mean", "histogram"],
        "properties": {
            "runs": _INT, "min": _NULLABLE_INT, "max": _NULLABLE_INT,
            "mean": {"type": ["number", "null"]},
            "histogram": {"type": "array", "items": {
                "type": "object", "required": ["from", "to", "runs"],
                "additionalProperties": False,
                "properties": {"from": _INT, "to": _INT, "runs": _INT}}}}},
    "adversary": {"oneOf": [{"type": "null"}, {
        "type": "object", "additionalProperties": False,
        "required": ["lookahead", "certified_start", "runs"],
        "properties": {
            "lookahead": _INT, "certified_start": _INT,
            "runs": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["run", "undecided_events", "bivalent_events"],
                "properties": {"run": _INT, "undecided_events": _INT,
                               "bivalent_events": _NULLABLE_INT}}}}}]},
    "violations": {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "required": ["property", "detail", "inputs", "schedule", "found_in_run",
                     "found_at_event", "violating_runs"],
        "properties": {
            "property": {"enum": _SAFETY},
            "detail": {"type": "string"},
            "inputs": _INPUTS,
            "schedule": {"$ref": "#/$defs/schedule"},
            "found_in_run": _INT,
            "found_at_event": _INT,
            "violating_runs": _INT}}},
    "holds": {
        "description": "false: violated (certain); null: not established (a simulation never "
                       "establishes that a property holds).",
        "type": "object", "additionalProperties": False, "required": _SAFETY,
        "properties": {p: {"enum": [False, None]} for p in _SAFETY}},
    "conclusion": {"type": "string"},
    "seconds": {"type": "number"},
    "shrink_seconds": {"type": "number"},
    "runs_per_second": {"type": "number"},
    "events_per_second": {"type": "number"},
})

SCHEMAS: dict[str, dict[str, Any]] = {
    "explore": EXPLORE,
    "explore-rounds": ROUNDS,
    "witness": WITNESS,
    "witness-stages": STAGES,
    "simulate": SIMULATE,
}
"""Every schema by name: the command whose ``--json`` output it describes."""


def schema(name: str) -> dict[str, Any]:
    """The schema called ``name`` (a key of :data:`SCHEMAS`), as a fresh dict."""
    from ..errors import UsageError

    if name not in SCHEMAS:
        raise UsageError(f"no schema {name!r}: use one of {', '.join(SCHEMAS)}")
    return copy.deepcopy(SCHEMAS[name])


def validate(name: str, document: Any) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``document`` matches schema ``name``
    (needs the ``jsonschema`` package)."""
    import jsonschema

    jsonschema.Draft202012Validator(SCHEMAS[name]).validate(document)
