"""The embedded production server: gunicorn, configured in code.

gunicorn's arbiter keeps the worker processes (restarts, timeouts, graceful
reloads); each worker runs uvicorn's event loop (uvloop, httptools) with
``dateline.core.asgi.Front``, which answers stored pages on the loop and hands
everything else to Django in a thread pool. The application is loaded once in
the arbiter before the workers fork, so they share its memory.
"""

import gc
import os
import socket

from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker


class Worker(UvicornWorker):
    CONFIG_KWARGS = {
        "loop": "uvloop" if os.name == "posix" else "asyncio",
        "http": "httptools",
        "lifespan": "on",
        "server_header": False,
        "access_log": bool(os.environ.get("DATELINE_ACCESS_LOG")),
    }

    async def _serve(self) -> None:
        # Stored pages are answered by the protocol itself, as soon as their headers are read.
        from dateline.core.asgi import Front
        from dateline.core.protocol import protocol_for

        if isinstance(self.wsgi, Front) and self.wsgi.ready is not None:
            self.config.http = protocol_for(self.wsgi)
        self.sockets = [*self.sockets, *self._own_listeners()]
        await super()._serve()

    def _own_listeners(self) -> list:
        """A listening socket of this worker's own on the same address (SO_REUSEPORT), beside
        the one all workers share: the kernel spreads new connections over the sockets, so a
        burst of connections does not all land on whichever worker woke first."""
        if not self.cfg.reuse_port:
            return []
        own = []
        for listener in self.sockets:
            shared = getattr(listener, "sock", listener)
            if shared.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            sock = socket.socket(shared.family, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                sock.bind(shared.getsockname()[:2])
                sock.listen(self.cfg.backlog)
                sock.setblocking(False)
            except OSError as error:
                sock.close()
                self.log.warning("no listener of this worker's own on %s: %s", shared.getsockname(), error)
                continue
            own.append(sock)
        return own


class _Server(BaseApplication):
    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from dateline.core.asgi import Front
        from dateline.wsgi import application

        return Front(application)


def _fewer_malloc_arenas():
    # glibc gives each thread that allocates its own arena, which the worker's render
    # threads fragment and never hand back; two arenas keep a worker's memory flat.
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, int(os.environ.get("MALLOC_ARENA_MAX", "2")))  # M_ARENA_MAX
    except (OSError, AttributeError, ValueError):
        pass  # not glibc


def _pre_fork(server, worker):
    # What the arbiter loaded (Django, the URL map, templates) is shared with the
    # workers copy-on-write; keep the garbage collector from touching those pages.
    gc.freeze()


def _post_worker_init(worker):
    # Scheduled stories and pick windows reach stored pages at their time even when
    # nginx serves every hit from disk and no reader's request reaches this worker.
    from dateline.pagestore.schedule import start_ticker

    start_ticker()
    from django.db.backends.signals import connection_created

    connection_created.connect(_small_sqlite_cache)


def _small_sqlite_cache(sender, connection, **kwargs):
    # Reads come through the memory-mapped file (mmap_size), shared by every worker;
    # SQLite's own page cache (32 MB a connection, for bulk writes) would only copy
    # pages into each thread's private memory. 2 MB each, as SQLite's default.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-2000")


def run(host: str, port: int, workers: int | None = None) -> None:
    # The master ran migrate, collectstatic and ANALYZE: close its database connections
    # before the fork, so no worker inherits one (SQLite's must not cross a fork) and the
    # master, which serves nothing, does not keep their page cache and mapped file.
    from django.db import connections

    connections.close_all()
    _fewer_malloc_arenas()
    cores = os.cpu_count() or 1
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _Server({
        "bind": [bind],
        # One event loop per core answers stored pages; renders run in each worker's threads.
        "workers": workers or int(os.environ.get("DATELINE_WORKERS", max(2, cores))),
        "worker_class": "dateline.core.server.Worker",
        "preload_app": True,
        "reuse_port": hasattr(socket, "SO_REUSEPORT") and os.environ.get("DATELINE_REUSE_PORT", "1") != "0",
        "keepalive": 5,
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": os.environ.get("DATELINE_ACCESS_LOG") or None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "dateline",
        "pre_fork": _pre_fork,
        "post_worker_init": _post_worker_init,
        "forwarded_allow_ips": os.environ.get("DATELINE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
    }).run()
