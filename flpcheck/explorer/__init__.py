"""The explorer: every configuration of FLP's message-buffer model a protocol can reach, as a
compact graph.

:func:`~flpcheck.explorer.driver.explore` picks an engine (:mod:`.simple`, :mod:`.batch`, the
partition engine in :mod:`.partition` for ``--workers``) and the reductions (:mod:`.symmetry`,
:mod:`.por`); the result is a :class:`~flpcheck.explorer.space.Space`, almost always a
:class:`~flpcheck.explorer.statespace.StateSpace` (configurations as rows of interned ids, edges
in CSR arrays). Bounds and stop conditions are in :mod:`.limits`. The explorer knows nothing of
valence or verdicts: those are :mod:`flpcheck.analysis`'s.
"""
