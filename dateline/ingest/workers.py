"""The worker processes of the bulk WordPress path.

On Linux they are forks of the importer: they inherit Django set up and the
export's attachments, and must never use the database connection they also
inherit (they only plan posts and run ``Story.derive``). Where there is no
fork they start fresh, so nothing here imports models at module level and
``init`` sets Django up first.
"""


def _die_with_parent():
    """On Linux, have the kernel end this worker when the importer ends, however it ends."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def init(args):
    _die_with_parent()
    import django
    from django.conf import settings

    if not settings.configured or not _apps_ready():
        django.setup()
    from . import wordpress

    wordpress.WORKER_ARGS[:] = args


def _apps_ready():
    from django.apps import apps

    return apps.ready


def prepare_chunk(chunk):
    from . import wordpress

    return [wordpress.prepare(post, *wordpress.WORKER_ARGS, derive=True) for post in chunk]
