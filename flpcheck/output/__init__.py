"""The output layer: what the analyses computed, formatted; nothing here runs an analysis.

Text reports (rich: :mod:`.report`, :mod:`.witness_report`, :mod:`.rounds_report`,
:mod:`.simulate_report`), every ``--json`` encoder (:mod:`.json`) and its JSON Schema
(:mod:`.schemas`), graph export (:mod:`.export`), Graphviz views (:mod:`.render`), and atomic
file writing (:mod:`.files`). Each function takes result values (an ``Exploration``, a
``WitnessReport``, a ``ValenceMap`` ...) and returns or prints their form.
"""
