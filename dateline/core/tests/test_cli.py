"""The `dateline` command as a user runs it: a fresh home, the demo, the server."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

DATELINE = [sys.executable, "-m", "dateline"]


def run(args, home, timeout=180):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env["DATELINE_HOME"] = str(home)
    return subprocess.run(DATELINE + args, env=env, capture_output=True, text=True, timeout=timeout)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def test_demo_then_serve_on_a_fresh_home(tmp_path):
    home = tmp_path / "home"
    result = run(["demo", "--stories", "40"], home)
    assert result.returncode == 0, result.stderr
    assert "40 synthetic stories" in result.stdout
    assert (home / "dateline.sqlite3").exists() and (home / "secret_key").exists()
    assert oct((home / "secret_key").stat().st_mode & 0o777) == "0o600"

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env["DATELINE_HOME"] = str(home)
    server = subprocess.Popen(DATELINE + ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, _, home_page = get(base + "/")
                break
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.1)
        assert status == 200 and "Dateline" in home_page
        css = home_page.split('rel="stylesheet" href="')[1].split('"')[0]
        status, headers, _ = get(base + css)
        assert status == 200 and "max-age" in headers.get("Cache-Control", "")
        status, _, body = get(base + "/no-such-section/")
        assert status == 404 and "couldn’t find that page" in body
        # DEBUG is off: no Django debug page, no settings leaked.
        assert "Traceback" not in body and "SECRET_KEY" not in body
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_second_server_start_keeps_the_same_secret_key(tmp_path):
    home = tmp_path / "home"
    assert run(["check"], home).returncode == 0
    key = (home / "secret_key").read_text()
    assert run(["check"], home).returncode == 0
    assert (home / "secret_key").read_text() == key


@pytest.mark.parametrize("args,message", [
    (["demo", "--stories", "0"], "--stories must be a positive number"),
    (["demo", "--stories", "many"], "invalid int value"),
    (["serve", "--port", "70000"], "--port must be between 1 and 65535"),
    (["no-such-command"], "Unknown command"),
])
def test_bad_arguments_get_a_clear_message(tmp_path, args, message):
    result = run(args, tmp_path / "home")
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
