"""``flpcheck serve``: a model's configurations in the browser, on a JSON API.

- :class:`~flpcheck.serve.session.Session`: one model, explored in a background thread with
  progress, asked on demand (configurations past a bound's cut are computed when asked);
- :func:`~flpcheck.serve.app.create_app`: the Starlette application (the page at ``/``, the
  JSON API at ``/api/``);
- :func:`~flpcheck.serve.runner.serve_forever` (the command) and
  :class:`~flpcheck.serve.runner.BackgroundServer` (a server in a thread);
- :func:`~flpcheck.serve.notebook.show`: from a notebook, start a server in the background and
  show the page in an IFrame.

Needs the ``serve`` extra (``pip install 'flpcheck[serve]'``: Starlette and uvicorn); importing
this package does not import them, its modules do.
"""

from .session import Session

__all__ = ["Session"]
