"""What a model is, and the only code that calls a model's code.

:class:`~flpcheck.model.protocol.Protocol` (FLP's message-buffer model) and
:class:`~flpcheck.model.round_protocol.RoundProtocol` (synchronous rounds); loading a model file
(:mod:`.loader`); the checks of what user code returns (:mod:`.checks`) and the checked,
memoized calls (:mod:`.calls`, :mod:`.table`); value identity (:mod:`.values`); the plain
semantics every run is replayed with (:mod:`.semantics`, :mod:`.receipts`); input vectors
(:mod:`.inputs`) and the definitions of termination (:mod:`.termination`).
"""
