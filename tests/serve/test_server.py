"""Serving: the static page, its headers, the Host check, the command (URL, Ctrl-C, a port in
use) and the notebook's show()."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from flpcheck.serve.app import create_app, static_files
from flpcheck.serve.runner import allowed_hosts

from ..paths import MODELS
from .served import TestClient


def test_the_page_is_served_from_the_package(served):
    s = served("majority.py")
    files = static_files()
    assert {"/", "/index.html", "/style.css", "/js/app.js", "/js/api.js", "/js/svg.js",
            "/js/tours.js", "/js/game.js"} <= set(files)
    for path, ctype in (("/", "text/html"), ("/style.css", "text/css"),
                        ("/js/app.js", "text/javascript")):
        r = s.client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)
        assert r.content == files[path][0]
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
    # nothing is fetched from elsewhere: no http(s) URL in the page, its scripts or its styles
    for path, (data, _) in files.items():
        assert b"http://" not in data.replace(b"http://www.w3.org/2000/svg", b"") and \
            b"https://" not in data, path
    for path in ("/nope.js", "/../setup.cfg", "/%2e%2e/setup.cfg", "/js/../../setup.cfg"):
        assert s.client.get(path).status_code == 404


def test_a_request_for_another_host_is_refused(served):
    session = served("majority.py").session
    client = TestClient(create_app(session, allowed_hosts("127.0.0.1")))
    assert client.get("/api/status", headers={"host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/api/status", headers={"host": "localhost:8000"}).status_code == 200
    r = client.get("/api/status", headers={"host": "rebound.example:8000"})
    assert r.status_code == 400 and "is not served here" in r.json()["error"]
    assert allowed_hosts("0.0.0.0") is None
    assert allowed_hosts("192.168.1.5") == {"192.168.1.5"}


def _serve(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flpcheck", "serve", *args, "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_command_prints_the_url_serves_and_stops_cleanly_on_ctrl_c():
    proc = _serve(str(MODELS / "flip_flop.py"), "--crashes", "0", "--port", "0")
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"serving {MODELS / 'flip_flop.py'} on http://127.0.0.1:"), line
        url = line.split(" on ")[1].split()[0]
        with urllib.request.urlopen(url + "api/status", timeout=30) as r:
            status = json.load(r)
        assert status["protocol"] == "FlipFlop" and status["crashes"] == 0
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert out.strip() == "stopped" and "Traceback" not in err


def test_a_port_in_use_is_a_usage_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = _serve(str(MODELS / "flip_flop.py"), "--port", str(port))
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in err


def test_show_serves_a_space_a_protocol_a_class_or_a_file_in_an_iframe():
    pytest.importorskip("IPython")
    import flpcheck
    from flpcheck.serve import notebook

    space = flpcheck.explore_file(str(MODELS / "leader_broadcast.py"), 2)
    try:
        for model, n in ((space, None), (space.protocol, None), (type(space.protocol), 2),
                         (str(MODELS / "leader_broadcast.py"), 2)):
            frame = flpcheck.show(model, n, crashes=1, height=600)
            assert frame.src == frame.server.url and frame.height == 600
            assert frame.server.url.startswith("http://127.0.0.1:")
            frame.server.session.wait(60)
            with urllib.request.urlopen(frame.server.url + "api/status", timeout=30) as r:
                status = json.load(r)
            assert status["verdict"] == "not-crash-tolerant" and status["configurations"] == 20
    finally:
        notebook.stop_all()
    assert notebook.SERVERS == []
