"""JSON Schemas (draft 2020-12) of every ``--json`` output, shipped with the package.

``flpcheck schema NAME`` prints one of :data:`SCHEMAS`; :data:`SERVE_SCHEMAS` describe the
answers of ``flpcheck serve``'s JSON API. :func:`schema` returns any of them as a dict and
:func:`validate` checks a document against it (with the ``jsonschema`` package, an optional
dependency used by the tests). The schemas share their pieces (an event, a schedule, a run),
so every output names the same thing the same way:

- an *event* is ``[pid, payload]``, the payload in its JSON form and ``null`` for the null
  message (payloads are never ``null``: ``None`` is refused as a payload); for a step left to
  chance, ``[pid, payload, outcome]`` with chance's outcome;
- a *schedule* is ``{"inputs": [x_0, ...], "events": [event, ...]}``: events from I(inputs);
- a *run* is a lasso ``{"inputs", "stem", "cycle", "crashed", "crash_point"}``;
- a claim that was not established is ``null``, never ``false``: ``false`` means searched (on a
  complete graph) and not found, or violated.
"""

from __future__ import annotations

import copy
from typing import Any

from .chance_schemas import CHANCE, CHANCE_POLICY
from .schema_parts import (
    _BIT,
    _CUT,
    _INPUTS,
    _INT,
    _NULLABLE_STR,
    _OUTPUT,
    DEFS,
    _document,
)

__all__ = ["SCHEMAS", "SERVE_SCHEMAS", "ALL_SCHEMAS", "schema", "validate"]


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
    "valence": {"description": "null: not established (interrupted before it was computed)",
                "oneOf": [{"type": "null"}, {"$ref": "#/$defs/valence_counts"}]},
    "valence_lower_bounds": {"type": ["integer", "null"], "minimum": 0},
    "initial": {"type": "array", "items": {
        "type": "object", "required": ["inputs", "valence", "certain"],
        "additionalProperties": False,
        "properties": {"inputs": _INPUTS,
                       "valence": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/valence"}]},
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
    "not_established": {
        "description": "Present after an interruption: what was not finished in time "
                       "(valence, validity, nondeciding); each is null above, never false.",
        "type": "array", "items": {"enum": ["valence", "agreement", "validity",
                                            "nontriviality", "nondeciding"]}},
    "chance": {"description": "Present only when some step is left to chance: how many events "
                              "are outcomes of chance, and their distinct probabilities.",
               "type": "object", "required": ["events", "probabilities"],
               "additionalProperties": False,
               "properties": {"events": _INT, "probabilities": {
                   "type": "array", "items": {"type": "string", "pattern": r"^\d+(/\d+)?$"}}}},
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
    "properties": {"holds": {"type": ["boolean", "null"]}, "detail": {"type": "string"},
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
    "scheduler": {"description": "swarm: uniform and fair in turn, run by run.",
                  "enum": ["swarm", "uniform", "fair", "adversary"]},
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
                     "found_at_event", "found_by", "violating_runs"],
        "properties": {
            "property": {"enum": _SAFETY},
            "detail": {"type": "string"},
            "inputs": _INPUTS,
            "schedule": {"$ref": "#/$defs/schedule"},
            "found_in_run": _INT,
            "found_at_event": _INT,
            "found_by": {"description": "The scheduler that took the run it was found in.",
                         "enum": ["uniform", "fair", "adversary"]},
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

_GST_RUN = {
    "description": "A run with a GST: from I(inputs) the stem, then the cycle forever (kind "
                   "cycle or loop); GST after gst_at events; crash_at: [pid, stem position] "
                   "of each crash (at GST or later); kind: cycle (never decides), stuck (ends "
                   "where no live process has an allowed event), decides (the worst case), "
                   "loop (an unfair cycle that makes the worst case unbounded), stages (fair "
                   "stages that never decide, ending at stage_ends: evidence, not proof).",
    "type": "object", "additionalProperties": False,
    "required": ["kind", "inputs", "stem", "gst_at", "cycle", "crashed", "crash_at", "trusted",
                 "stage_ends"],
    "properties": {
        "kind": {"enum": ["cycle", "stuck", "decides", "loop", "stages"]},
        "inputs": _INPUTS, "stem": {"$ref": "#/$defs/events"}, "gst_at": _INT,
        "cycle": {"$ref": "#/$defs/events"},
        "crashed": {"type": "array", "items": _INT},
        "crash_at": {"type": "array", "items": {"type": "array", "items": _INT,
                                                 "minItems": 2, "maxItems": 2}},
        "trusted": {"type": ["integer", "null"]},
        "stage_ends": {"type": "array", "items": _INT},
    },
}
_OPT_GST_RUN = {"oneOf": [{"type": "null"}, _GST_RUN]}

LIVENESS = _document("flpcheck liveness --json", {
    "protocol": {"type": "string"},
    "processes": _INT,
    "crashes": _INT,
    "leader": {"type": ["integer", "null"]},
    "timeouts": {"enum": ["quiet", "local", None]},
    "detector": {"type": "boolean"},
    "gst_by": {"type": ["integer", "null"]},
    "termination": {"$ref": "#/$defs/termination"},
    "holds": {"type": ["boolean", "null"]},
    "detail": {"type": "string"},
    "worst_steps_after_gst": {"type": ["integer", "null"], "minimum": 0},
    "worst_reason": _NULLABLE_STR,
    "worst_from": {"oneOf": [{"type": "null"}, {
        "type": "object", "additionalProperties": False,
        "required": ["inputs", "schedule", "after_gst", "crash_at", "trusted"],
        "properties": {"inputs": _INPUTS, "schedule": {"$ref": "#/$defs/events"},
                       "after_gst": {"$ref": "#/$defs/events"},
                       "crash_at": _GST_RUN["properties"]["crash_at"],
                       "trusted": {"type": ["integer", "null"]}}}]},
    "unbounded_loop": _OPT_GST_RUN,
    "run": _OPT_GST_RUN,
    "stages": _OPT_GST_RUN,
    "complete": {"type": "boolean"},
    "cut_reasons": {"type": "array", "items": {"type": "string"}},
    "configurations": _INT,
    "post_configurations": _INT,
    "without_gst": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/nondeciding"}]},
    "seconds": {"type": "number"},
})

SCHEMAS: dict[str, dict[str, Any]] = {
    "explore": EXPLORE,
    "explore-rounds": ROUNDS,
    "witness": WITNESS,
    "witness-stages": STAGES,
    "liveness": LIVENESS,
    "simulate": SIMULATE,
    "chance": CHANCE,
    "chance-policy": CHANCE_POLICY,
}
"""Every schema by name: the command whose ``--json`` output it describes."""

# -- the JSON API of ``flpcheck serve`` (docs/serve.md) ---------------------------------------

_PROBABILITY = {"description": "Present only for a step left to chance: chance's probability "
                               "of the event's outcome, exact.",
                "type": "string", "pattern": r"^\d+(/\d+)?$"}


def _chance(item: dict[str, Any], name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """``item`` (an object schema) with the optional property ``name`` (steps left to chance
    only: a protocol without chance answers without it)."""
    item["properties"][name] = schema
    return item


_SERVE_DEFS: dict[str, Any] = {**DEFS,
    "serve_valence": {
        "description": "A valence, or unknown: not known yet, or past a bound's cut.",
        "enum": ["bivalent", "0-valent", "1-valent", "none", "unknown"]},
    "bits": {"description": "An input vector, process 0 first.", "type": "string",
             "pattern": "^[01]+$"},
    "path": {"description": "Successor indices from I(inputs), in the API's fixed order.",
             "type": "array", "items": _INT},
    "outputs": {"type": "array", "items": _OUTPUT},
    "sends": {"description": "[dst, payload] of each message sent.",
              "type": "array", "items": {"$ref": "#/$defs/event"}},
    "serve_counts": {
        "type": "object", "additionalProperties": False,
        "required": ["bivalent", "0-valent", "1-valent", "none", "unknown"],
        "properties": {k: _INT for k in ("bivalent", "0-valent", "1-valent", "none", "unknown")}},
    "serve_run": {
        "description": "A run as successor indices: for a lasso the stem then one turn of the "
                       "cycle, which starts at index cycle_start.",
        "type": "object", "additionalProperties": False,
        "required": ["inputs", "path", "cycle_start", "crashed", "crash_at", "events", "texts",
                     "valences", "sentences", "summary", "conclusion"],
        "properties": {
            "inputs": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/bits"}]},
            "path": {"$ref": "#/$defs/path"}, "cycle_start": {"type": ["integer", "null"]},
            "crashed": {"type": "array", "items": _INT},
            "crash_at": {"type": ["integer", "null"]}, "events": {"$ref": "#/$defs/events"},
            "texts": {"type": "array", "items": {"type": "string"}},
            "valences": {"type": "array", "items": {"$ref": "#/$defs/serve_valence"}},
            "sentences": {"type": "array", "items": {"type": "string"}},
            "summary": {"type": "string"}, "conclusion": {"type": "string"},
            "probabilities": {"description": "Present only when a step of the run is left to "
                                             "chance: chance's probability of each step.",
                              "type": "array", "items": _PROBABILITY}}},
}


def _serve(title: str, properties: dict[str, Any]) -> dict[str, Any]:
    optional = ("probabilities",)  # a run's probabilities: only where chance took part
    document = _document(f"flpcheck serve: {title}", properties,
                         [k for k in properties if k not in optional])
    document["$defs"] = _SERVE_DEFS
    return document


def _object(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": list(properties),
            "properties": properties}


_V = {"$ref": "#/$defs/serve_valence"}
_STR = {"type": "string"}
_BOOL = {"type": "boolean"}
_OPT_INT = {"type": ["integer", "null"]}
_OPT_PATH = {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/path"}]}
_STRS = {"type": "array", "items": _STR}
_VALENCE_FIELDS = {"valence": _V, "valence_bound": _NULLABLE_STR}
_EVENT = {"$ref": "#/$defs/event"}

SERVE_STATUS = _serve("GET /api/status", {
    "protocol": _STR, "model": _STR, "doc": _STR, "processes": _INT, "crashes": _INT,
    "termination": {"$ref": "#/$defs/termination"},
    "phase": {"enum": ["exploring", "analysing", "done", "failed"]},
    "exploring": _BOOL, "complete": _BOOL, "on_demand": _BOOL, "cut_reasons": _CUT,
    "configurations": _INT, "expanded": _INT, "events": _INT,
    "valence_counts": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/valence_counts"}]},
    "verdict": {"oneOf": [{"type": "null"}, _VERDICT]}, "verdict_detail": _NULLABLE_STR,
    "nondeciding": {"oneOf": [{"type": "null"}, _object(exists={"type": ["boolean", "null"]},
                                                       detail=_STR)]},
    "inputs": {"type": "array", "items": {"$ref": "#/$defs/bits"}},
    "initial": {"type": "array", "items": _object(inputs={"$ref": "#/$defs/bits"}, valence=_V,
                                                 id=_OPT_INT)},
    "elapsed": {"type": "number", "minimum": 0}, "error": _NULLABLE_STR,
})

_STATE = _object(pid=_INT, fields={"type": ["object", "null"]}, value={}, text=_STR,
                 cells={"description": "The state's columns on the page, each value as Python's "
                                       "repr prints it; null: one column, text (the model "
                                       "formats its states itself, or the state has no "
                                       "fields or items).",
                        "oneOf": [{"type": "null"}, _object(names=_STRS, texts=_STRS)]},
                 output=_OUTPUT)
_BUFFER = {"type": "array", "items": _object(to=_INT, payload={}, count={"type": "integer",
                                                                         "minimum": 1},
                                             text=_STR, index=_INT)}

SERVE_CONFIG = _serve("GET /api/config", {
    "inputs": {"$ref": "#/$defs/bits"}, "path": {"$ref": "#/$defs/path"}, "depth": _INT,
    "explored": _BOOL, "id": _OPT_INT, **_VALENCE_FIELDS, "initial_valence": _V,
    "outputs": {"$ref": "#/$defs/outputs"},
    "decided": {"type": "array", "items": _BIT}, "agreement_violated": _BOOL,
    "events": {"$ref": "#/$defs/events"},
    "states": {"type": "array", "items": _STATE}, "buffer": _BUFFER, "buffer_text": _STR,
    "steps": {"type": "array", "items": _chance(_object(
        index=_INT, event=_EVENT, text=_STR, label=_STR, sends={"$ref": "#/$defs/sends"},
        sends_text=_STRS, received_from=_OPT_INT, id=_OPT_INT, **_VALENCE_FIELDS,
        outputs={"$ref": "#/$defs/outputs"}), "probability", _PROBABILITY)},
    "successors": {"type": "array", "items": _chance(_object(
        index=_INT, event=_EVENT, pid=_INT, text=_STR, label=_STR, **_VALENCE_FIELDS,
        outputs={"oneOf": [{"type": "null"}, {"$ref": "#/$defs/outputs"}]},
        decided={"type": "array", "items": _BIT}, sends={"$ref": "#/$defs/sends"},
        sends_text=_STRS, changes={"type": ["boolean", "null"]}, id=_OPT_INT,
        error=_NULLABLE_STR), "probability", _PROBABILITY)},
    "decisions": _object(**{"0": _OPT_PATH, "1": _OPT_PATH}), "decisions_exact": _BOOL,
    "fair_events": {"type": "array", "items": _object(pid=_INT, event=_EVENT, index=_INT,
                                                      sent_at=_OPT_INT, text=_STR)},
    "previous": {"oneOf": [{"type": "null"}, _object(
        states={"type": "array", "items": _STATE}, buffer=_BUFFER, buffer_text=_STR,
        outputs={"$ref": "#/$defs/outputs"})]},
})

SERVE_WITNESS = _serve("GET /api/witness", {
    "verdict": _VERDICT, "detail": _STR, "complete": _BOOL, "crashes": _INT,
    "termination": {"$ref": "#/$defs/termination"},
    "property": {"enum": [None, "agreement", "validity", "nontriviality"]},
    "stages": {"oneOf": [{"type": "null"}, {"type": "array", "items": _object(
        stage=_INT, process=_INT, event=_EVENT, event_text=_STR, sigma_length=_INT,
        start=_INT, end=_INT)}]},
    **_SERVE_DEFS["serve_run"]["properties"],
})

SERVE_LEMMA2 = _serve("GET /api/lemma2", {
    "chain": {"type": "array", "items": _object(k=_INT, inputs={"$ref": "#/$defs/bits"},
                                               valence=_V, text=_STR, flip=_OPT_INT)},
    "bivalent": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/bits"}]},
    "pair": {"oneOf": [{"type": "null"}, {"type": "array", "items": {"$ref": "#/$defs/bits"},
                                          "minItems": 2, "maxItems": 2}]},
    "process": _OPT_INT, "detail": _STR,
    "run": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/serve_run"}]},
})

_SET = _object(size=_INT, valence={"$ref": "#/$defs/serve_counts"})

SERVE_LEMMA3 = _serve("GET /api/lemma3", {
    "inputs": {"$ref": "#/$defs/bits"}, "path": {"$ref": "#/$defs/path"}, "event_index": _INT,
    "event": _EVENT, "event_text": _STR, "event_label": _STR, "c_valence": _V,
    "e_c_valence": _V, "calC": _SET, "D": _SET, "sigma": _OPT_PATH,
    "sigma_events": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/events"}]},
    "sigma_text": {"oneOf": [{"type": "null"}, _STRS]},
    "reached_valence": {"oneOf": [{"type": "null"}, _V]},
    "neighbours": {"oneOf": [{"type": "null"}, _object(
        c0_path={"$ref": "#/$defs/path"}, e_prime=_EVENT, e_prime_text=_STR,
        e_prime_index=_INT, e_c0_valence=_V, e_c1_valence=_V, same_process=_BOOL)]},
    "explanation": _STR,
})

SERVE_ADVERSARY = _serve("GET /api/adversary", {
    "inputs": {"$ref": "#/$defs/bits"}, "path": {"$ref": "#/$defs/path"}, "event_index": _INT,
    "event": _EVENT, "event_label": _STR, "c_valence": _V, "answer": _OPT_PATH,
    "sigma_text": {"oneOf": [{"type": "null"}, _STRS]}, "result_path": _OPT_PATH,
    "valence": _V, "explanation": _STR,
})

SERVE_GST = _serve("GET /api/gst", {
    "inputs": {"$ref": "#/$defs/bits"}, "path": {"$ref": "#/$defs/path"},
    "timeouts": {"enum": ["quiet", "local"]}, "leader": _OPT_INT,
    "crashed": {"type": "array", "items": _INT}, "rule": _STR,
    "successors": {"type": "array", "items": _object(index=_INT, text=_STR, allowed=_BOOL,
                                                     reason=_STR)},
    "allowed": _INT, "decided": _BOOL, "stuck": _BOOL,
})

_GST_RUN = {**_SERVE_DEFS["serve_run"], "required": _SERVE_DEFS["serve_run"]["required"]
            + ["gst_at", "kind", "phases", "labels"]}
_GST_RUN["properties"] = {**_GST_RUN["properties"], "gst_at": _INT,
                          "kind": {"enum": ["fails", "worst"]}, "phases": _STRS, "labels": _STRS}

SERVE_LIVENESS = _serve("GET /api/liveness", {
    "protocol": _STR, "crashes": _INT, "timeouts": {"enum": ["quiet", "local"]},
    "leader": _OPT_INT, "termination": {"$ref": "#/$defs/termination"}, "rule": _STR,
    "holds": {"type": ["boolean", "null"]}, "detail": _STR, "worst_steps": _OPT_INT,
    "worst_reason": _STR, "gst_by": _OPT_INT, "complete": _BOOL, "cut_reasons": _CUT,
    "run": {"oneOf": [{"type": "null"}, _GST_RUN]},
})

_FIGURE = _object(text=_STR, value={"type": "number", "minimum": 0, "maximum": 1}, exact=_BOOL,
                  shown=_STR)
_MIN_MAX = _object(min=_FIGURE, max=_FIGURE)

SERVE_CHANCE = _serve("GET /api/chance", {
    "inputs": {"$ref": "#/$defs/bits"}, "path": {"$ref": "#/$defs/path"}, "id": _OPT_INT,
    "available": _BOOL, "reason": _NULLABLE_STR,
    "figures": {"oneOf": [{"type": "null"}, _object(**{"0": _MIN_MAX, "1": _MIN_MAX})]},
})

_BITS_LIST = {"type": "array", "items": {"$ref": "#/$defs/bits"}}
_VALUES = {"type": "array", "items": {"type": "number"}}
_EVENTS_CURVE = _object(axis={"const": "events"}, series={"type": "array", "items": _object(
    inputs=_BITS_LIST, values=_VALUES, eventually=_FIGURE)})
_ROUNDS_CURVE = _object(axis={"const": "rounds"}, series={"type": "array", "items": _object(
    inputs=_BITS_LIST, eventually=_FIGURE, points={"type": "array", "items": {
        **_FIGURE, "required": [*_FIGURE["required"], "rounds"],
        "properties": {**_FIGURE["properties"], "rounds": _INT}}})})

SERVE_CURVE = _serve("GET /api/curve", {
    "protocol": _STR, "termination": {"$ref": "#/$defs/termination"}, "crashes": _INT,
    "chance": _BOOL, "note": _NULLABLE_STR, "complete": _BOOL, "uniform": _EVENTS_CURVE,
    "adversary": {"oneOf": [_EVENTS_CURVE, _ROUNDS_CURVE]},
})

SERVE_FLPRUN = _serve("GET /api/flprun", {
    "source": {"enum": [None, "verdict", "adversary"]}, "note": _STR, "rule": _STR,
    "run": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/serve_run"}]},
    "forbidden": {"type": "array", "items": _object(step=_INT, text=_STR, reason=_STR)},
})

SERVE_ERROR = _document("flpcheck serve: an error answer (status 400, 404, 405, 422, 500, 503)",
                        {"error": _STR, "valid_depth": _INT}, required=["error"])

SERVE_SCHEMAS: dict[str, dict[str, Any]] = {
    "serve-status": SERVE_STATUS,
    "serve-config": SERVE_CONFIG,
    "serve-witness": SERVE_WITNESS,
    "serve-lemma2": SERVE_LEMMA2,
    "serve-lemma3": SERVE_LEMMA3,
    "serve-adversary": SERVE_ADVERSARY,
    "serve-gst": SERVE_GST,
    "serve-liveness": SERVE_LIVENESS,
    "serve-chance": SERVE_CHANCE,
    "serve-curve": SERVE_CURVE,
    "serve-flprun": SERVE_FLPRUN,
    "serve-error": SERVE_ERROR,
}
"""The answers of ``flpcheck serve``'s JSON API, by endpoint."""

ALL_SCHEMAS: dict[str, dict[str, Any]] = SCHEMAS | SERVE_SCHEMAS
"""Every schema ``flpcheck schema NAME`` prints."""
"""The answers of ``flpcheck serve``'s JSON API by name (``serve-`` and the endpoint)."""


def schema(name: str) -> dict[str, Any]:
    """The schema called ``name`` (a key of :data:`ALL_SCHEMAS`), as a fresh dict."""
    from ..errors import UsageError

    if name not in ALL_SCHEMAS:
        raise UsageError(f"no schema {name!r}: use one of {', '.join(ALL_SCHEMAS)}")
    return copy.deepcopy(ALL_SCHEMAS[name])


def validate(name: str, document: Any) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``document`` matches schema ``name``
    (needs the ``jsonschema`` package)."""
    import jsonschema

    jsonschema.Draft202012Validator(ALL_SCHEMAS[name]).validate(document)
