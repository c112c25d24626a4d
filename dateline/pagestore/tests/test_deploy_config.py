"""`dateline deploy-config`: the templates in deploy/ filled in for a site."""

import io
import re

import pytest
from django.core.management import CommandError, call_command


def render(*args):
    out = io.StringIO()
    call_command("deploy-config", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_nginx_serves_the_file_store_from_disk(settings, tmp_path):
    settings.DATELINE = {**settings.DATELINE, "SITE_URL": "https://news.example.org",
                         "PAGE_STORE": {**settings.DATELINE["PAGE_STORE"], "ENABLED": True,
                                        "BACKEND": "dateline.pagestore.backends.files.FileStore",
                                        "LOCATION": str(tmp_path / "pages")}}
    conf = render("nginx", "--upstream", "127.0.0.1:8123")
    assert "{{" not in conf
    assert f"root {tmp_path / 'pages'}/_whole;" in conf and "ssi on" not in conf
    assert "server 127.0.0.1:8123;" in conf and "server_name news.example.org;" in conf
    assert '"news.example.org" 1;' in conf
    assert re.search(r"location \^~ /_fragment/ \{\s+return 404;", conf)
    assert re.search(r"location \^~ /_whole/ \{\s+return 404;", conf)
    assert 'add_header X-Frame-Options "DENY" always;' in conf


def test_nginx_needs_the_site_address_to_serve_stored_pages(settings, tmp_path):
    settings.DATELINE = {**settings.DATELINE, "SITE_URL": "",
                         "PAGE_STORE": {**settings.DATELINE["PAGE_STORE"], "ENABLED": True,
                                        "BACKEND": "dateline.pagestore.backends.files.FileStore",
                                        "LOCATION": str(tmp_path / "pages")}}
    with pytest.raises(CommandError, match="DATELINE_SITE_URL"):
        render("nginx")


def test_with_the_store_in_redis_nginx_hands_every_page_to_the_app_servers(settings):
    settings.DATELINE = {**settings.DATELINE, "SITE_URL": "https://news.example.org",
                         "PAGE_STORE": {**settings.DATELINE["PAGE_STORE"], "ENABLED": True,
                                        "BACKEND": "dateline.pagestore.backends.redis.RedisStore",
                                        "LOCATION": "redis://127.0.0.1:6379/0"}}
    conf = render("nginx", "--upstream", "10.0.0.1:8000", "--upstream", "10.0.0.2:8000")
    assert "{{" not in conf
    assert "server 10.0.0.1:8000;" in conf and "server 10.0.0.2:8000;" in conf
    assert "try_files $" not in conf and "ssi on" not in conf and not re.search(r"^\s*root ", conf, re.M)


def test_the_systemd_unit(settings):
    unit = render("systemd", "--user", "dateline", "--group", "dateline", "--env-file", "/etc/dateline/x.env")
    assert "{{" not in unit
    assert "User=dateline" in unit and "EnvironmentFile=/etc/dateline/x.env" in unit
    assert re.search(r"^ExecStart=/.+/\.venv/bin/dateline serve$", unit, re.M)
    assert f"ReadWritePaths={settings.HOME}" in unit


def test_values_that_would_change_the_configuration_are_refused(settings):
    settings.DATELINE = {**settings.DATELINE, "SITE_URL": "https://news.example.org"}
    with pytest.raises(CommandError):
        render("nginx", "--upstream", "127.0.0.1:8000; include /etc/passwd")
    with pytest.raises(CommandError):
        render("nginx", "--listen", "80; root /")
