"""``flpcheck serve``: a model's configurations in the browser (the page and its JSON API).

Registered on the ``flpcheck`` group in :mod:`flpcheck.cli.main`; the server itself is
:mod:`flpcheck.serve` (the ``serve`` extra: Starlette and uvicorn).
"""

from __future__ import annotations

import click

from ..pipeline import Options, Pipeline
from ..serve.runner import serve_forever
from ..serve.session import Session
from .common import browse_options, termination_option

__all__ = ["serve_command"]


@click.command("serve", epilog="""\b
Examples:
  flpcheck serve models/majority.py
  flpcheck serve models/flip_flop.py --crashes 0
  flpcheck serve models/paxos.py:Paxos --timeout 60 --port 0 --no-browser""")
@browse_options
@click.option("--crashes", "-t", type=click.IntRange(min=0), default=1, show_default=True,
              help="Crash budget t of the verdict's runs (0: the forever-bivalent lasso of a "
                   "protocol that one crash defeats).")
@termination_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (another host than this machine's loopback lets "
                   "others browse the model).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port (0: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser on the page.")
def serve_command(options: Options, crashes: int, termination: str, host: str, port: int,
                  no_browser: bool) -> None:
    """Browse MODEL's configurations, its verdict's run and FLP's lemmas in a web page.

    Prints the page's URL and opens a browser on it; Ctrl-C stops. The model is explored in
    the background: the page works at once, valences appear when known, and a model too large
    to finish (stopped by a bound) is explored on demand past the cut, valence unknown.
    """
    pipeline = Pipeline(options.with_(crashes=crashes, termination=termination))
    session = Session.of(pipeline)
    serve_forever(session, host, port, open_browser=not no_browser, echo=click.echo)
