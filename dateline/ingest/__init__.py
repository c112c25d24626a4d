"""Ingest: bringing copy in from outside — WordPress archives, agency wires, single web pages.

Where things are:

- ``wordpress.py``  ``dateline import-wordpress EXPORT.xml [--media DIR] [--bulk]``
- ``wires.py``      the wire queue: ``dateline poll-wires``, ``dateline ingest-wire-folder DIR``,
                    ``dateline add-wire URL --agency NAME``, ``story_from_wire(item, user)``
- ``pages.py``      ``dateline import-page FILE_OR_URL [--dry-run --json]``; ``scraped.py`` reads
                    pages scraped as plain text
- ``dedupe.py``     near-duplicate detection (MinHash); ``find_near_duplicates(text)``
- ``safexml.py``    size limits, encodings, and XML parsing with DTDs refused
- ``http.py``       fetching with a transport the caller hands in
- ``views.py``      /desk/ingest/wires/ (the queue) and /desk/ingest/page/ (import a page), staff only

Every story ingest makes goes through ``dateline.news.actions``; each item is
written in its own transaction, so a bad one is reported and never half-written.

Polling wires
-------------
``dateline poll-wires`` fetches every active ``Wire`` once (conditional GET,
so an unchanged feed costs one 304) and exits: non-zero when a wire failed,
with the wire named. Run it every few minutes from a systemd timer::

    # /etc/systemd/system/dateline-wires.service
    [Unit]
    Description=Dateline: poll agency wires
    [Service]
    Type=oneshot
    User=dateline
    Environment=DATELINE_HOME=/var/lib/dateline
    ExecStart=/srv/dateline/.venv/bin/dateline poll-wires
    ExecStart=/srv/dateline/.venv/bin/dateline ingest-wire-folder /var/lib/dateline/wires/incoming

    # /etc/systemd/system/dateline-wires.timer
    [Unit]
    Description=Poll agency wires every two minutes
    [Timer]
    OnBootSec=1min
    OnUnitActiveSec=2min
    [Install]
    WantedBy=timers.target

    systemctl enable --now dateline-wires.timer

(a oneshot unit never overlaps itself), or from cron, with ``flock`` so a
slow run is not joined by the next one::

    */2 * * * * dateline cd /srv/dateline && flock -n /tmp/dateline-wires.lock .venv/bin/dateline poll-wires

Agencies that deliver files (NINJS JSON, NewsML-G2 XML) upload them into a
folder; ``ingest-wire-folder`` queues each and moves it to ``done/`` or
``failed/`` (with a ``.error.txt`` note). Files younger than two seconds are
left for the next run, since they may still be arriving.
"""
