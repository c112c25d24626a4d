"""Where Dateline keeps its state: the DATELINE_HOME folder.

It holds the SQLite database, uploaded media, collected static files, the page
store and the generated secret key. Everything a site needs to be backed up is
in this one folder (or in PostgreSQL when DATABASE_URL is set).
"""

import os
import secrets
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]


def home() -> Path:
    """The DATELINE_HOME folder, created on first use.

    Defaults to ``var/`` in the checkout when running from one, else ``./var``
    under the current directory.
    """
    configured = os.environ.get("DATELINE_HOME")
    if configured:
        path = Path(configured).expanduser()
    elif (CHECKOUT / "pyproject.toml").exists():
        path = CHECKOUT / "var"
    else:
        path = Path.cwd() / "var"
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def secret_key(folder: Path) -> str:
    """The secret key: from the environment, else generated once and kept.

    The file is created with mode 0600 and written atomically, so two servers
    starting at once agree on one key.
    """
    key = os.environ.get("DATELINE_SECRET_KEY")
    if key:
        return key
    path = folder / "secret_key"
    if not path.exists():
        tmp = folder / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
        try:
            os.link(tmp, path)  # fails if another process won the race
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
