"""`dateline deploy-config nginx|systemd`: the files in deploy/, filled in for this site.

The templates in the checkout's deploy/ folder hold placeholders (``{{name}}``),
never a machine's paths; this command fills them from the settings the app
itself runs with (DATELINE_HOME, the page store, the session cookie, the secret
key, DATELINE_SITE_URL) and the options given, and prints the result or writes
it to ``--output``.

``nginx --standalone DIR`` writes a complete configuration into DIR (nginx.conf
and dateline.conf, with every path nginx writes under DIR), for running nginx as
an ordinary user: the integration test and the benchmark use it.
"""

import getpass
import grp
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

import dateline
from dateline.pagestore.store import config

DEPLOY = Path(dateline.__file__).resolve().parent.parent / "deploy"
PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")
PROXY_HEADERS = """\
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 60s;"""


def render(name: str, values: dict) -> str:
    """Template ``deploy/<name>`` with every placeholder filled (an unknown one is an error)."""
    text = (DEPLOY / name).read_text()

    def fill(match):
        key = match.group(1)
        if key not in values:
            raise CommandError(f"deploy/{name}: no value for {{{{{key}}}}}")
        return str(values[key])

    return PLACEHOLDER.sub(fill, text)


def security_headers() -> list[tuple[str, str]]:
    """The headers Django's security middleware puts on every page, for nginx to
    send with the pages it serves from disk (the app sends them with its own)."""
    found = []
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        found.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        found.append(("Referrer-Policy", policy if isinstance(policy, str) else ",".join(policy)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        found.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    if "django.middleware.clickjacking.XFrameOptionsMiddleware" in settings.MIDDLEWARE:
        found.append(("X-Frame-Options", settings.X_FRAME_OPTIONS))
    if settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        found.append(("Strict-Transport-Security", value))
    return found


def _quote(value: str) -> str:
    if re.search(r'["\\$;{}\s]', value):
        raise CommandError(f"refusing to put {value!r} into nginx's configuration")
    return value


class Command(BaseCommand):
    help = "Print nginx's or systemd's configuration for this site, from the templates in deploy/."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["nginx", "systemd"])
        parser.add_argument("--output", "-o", help="write here instead of printing")
        nginx = parser.add_argument_group("nginx")
        nginx.add_argument("--listen", default="80", help="nginx's listen directive (default 80)")
        nginx.add_argument("--server-name", help="default: the host of DATELINE_SITE_URL")
        nginx.add_argument("--upstream", action="append",
                           help="an app server, host:port (repeat for several; default DATELINE_HOST:DATELINE_PORT)")
        nginx.add_argument("--max-body", default="32m", help="largest upload (client_max_body_size)")
        nginx.add_argument("--standalone", metavar="DIR",
                           help="write a complete nginx.conf and dateline.conf into DIR, every path under it")
        nginx.add_argument("--worker-processes", default="auto")
        nginx.add_argument("--access-log", default="off", help="with --standalone: access_log (default off)")
        nginx.add_argument("--mime-types", default="/etc/nginx/mime.types")
        unit = parser.add_argument_group("systemd")
        unit.add_argument("--user", default=None, help="the app's user (default: who runs this)")
        unit.add_argument("--group", default=None, help="its group (default: the user's)")
        unit.add_argument("--env-file", default="/etc/dateline/dateline.env")

    def handle(self, *args, what, output, **options):
        if what == "nginx":
            text = self.nginx(**options)
        else:
            text = self.systemd(**options)
        if output:
            Path(output).write_text(text)
            self.stderr.write(f"wrote {output}")
        elif text is not None:
            self.stdout.write(text, ending="")

    def nginx(self, *, listen, server_name, upstream, max_body, standalone, worker_processes, access_log,
              mime_types, **options):
        conf = config()
        files = conf.get("BACKEND", "").endswith(".FileStore")
        if not conf.get("ENABLED"):
            files = False
        site_url = settings.DATELINE.get("SITE_URL", "")
        site_host = urlsplit(site_url).hostname or ""
        if files and not site_host:
            raise CommandError(
                "Set DATELINE_SITE_URL (e.g. https://news.example.org): nginx serves stored pages, whose "
                "absolute links are built for one address, only for that address's host.")
        server_name = server_name or site_host or ",".join(settings.ALLOWED_HOSTS).split(",")[0] or "_"
        upstream = upstream or [f"{os.environ.get('DATELINE_HOST', '127.0.0.1')}:"
                                f"{os.environ.get('DATELINE_PORT', '8000')}"]
        headers = "\n".join(f'        add_header {name} "{_quote_value(value)}" always;'
                            for name, value in security_headers())
        common = {"pages": _quote(str(conf.get("LOCATION", ""))) if files else "",
                  "static": _quote(str(settings.STATIC_ROOT)), "media": _quote(str(settings.MEDIA_ROOT)),
                  "proxy_headers": PROXY_HEADERS,
                  "s_maxage": int(conf.get("S_MAXAGE", 60)), "security_headers": headers}
        mode = "files" if files else "proxied"
        values = {
            **common,
            "store_mode": ("files on disk, served by nginx" if files else
                           "Redis (or off): every page comes from the app servers"),
            "store_note": ("# nginx reads the page store's folder; the app writes and purges it." if files else
                           "# nginx cannot read a store in Redis, so it hands every page to the app servers,\n"
                           "# which answer stored pages without the database."),
            "upstream_servers": "\n".join(f"    server {_quote(u)};" for u in upstream),
            "session_cookie": re.escape(_quote(settings.SESSION_COOKIE_NAME)),
            "site_host": site_host.lower(),
            "listen": _quote_listen(listen), "server_name": _quote(server_name), "max_body": _quote(max_body),
            "pages_location": render(f"nginx/pages-{'from-disk' if files else 'proxied'}.conf", common).rstrip("\n"),
            "files_locations": render(f"nginx/files-{'from-disk' if files else 'proxied'}.conf", common).rstrip("\n"),
        }
        site = render("nginx/dateline.conf", values)
        if not standalone:
            if not site_host:
                self.stderr.write(f"note: DATELINE_SITE_URL is not set; page store mode: {mode}")
            return site
        runtime = Path(standalone).resolve()
        runtime.mkdir(parents=True, exist_ok=True)
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (runtime / sub).mkdir(exist_ok=True)
        (runtime / "dateline.conf").write_text(site)
        main = render("nginx/standalone.conf", {
            "runtime": _quote(str(runtime)), "worker_processes": _quote(str(worker_processes)),
            "access_log": _quote(access_log), "mime_types": _quote(mime_types),
            # As root nginx's workers would run as nobody, who cannot read a private folder.
            "user": f"user {getpass.getuser()};" if os.geteuid() == 0 else "",
        })
        (runtime / "nginx.conf").write_text(main)
        self.stderr.write(f"wrote {runtime / 'nginx.conf'} and {runtime / 'dateline.conf'}")
        return None

    def systemd(self, *, user, group, env_file, **options):
        user = user or getpass.getuser()
        if group is None:
            try:
                group = grp.getgrgid(os.getgid()).gr_name if user == getpass.getuser() else user
            except KeyError:
                group = user
        return render("systemd/dateline.service", {
            "user": user, "group": group, "env_file": env_file, "checkout": str(DEPLOY.parent),
            "home": str(settings.HOME),
        })


def _quote_value(value: str) -> str:
    if re.search(r'["\\$]', value):
        raise CommandError(f"refusing to put {value!r} into nginx's configuration")
    return value


def _quote_listen(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.:\[\] ]+", value):
        raise CommandError(f"not a listen directive: {value!r}")
    return value
