"""`dateline pagestore stats | clear | purge`."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dateline.pagestore.backends.base import Entry


def run(*args):
    out = StringIO()
    call_command("pagestore", *args, stdout=out)
    return out.getvalue()


def test_stats_clear_and_purge(store):
    store.set("/", Entry(body=b"home", tags={"list:site"}))
    store.set("/world/", Entry(body=b"world", tags={"list:section:1"}))
    store.schedule(2000000000, "story", "1")
    stats = run("stats")
    assert "entries: 2" in stats and "pending: 1" in stats and "next_due: 2033-05-18T03:33:20+00:00" in stats
    assert "Purged 1 entries" in run("purge", "list:site")
    assert store.keys() == ["/world/"]
    assert "Cleared 1 stored pages" in run("clear")
    assert store.keys() == []


def test_purge_needs_a_tag(store):
    with pytest.raises(CommandError, match="at least one tag"):
        run("purge")
