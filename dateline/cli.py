"""The ``dateline`` command: Django's management commands under one name.

``dateline serve``, ``dateline demo``, ``dateline migrate``,
``dateline createsuperuser`` and every other command Django or our apps define.
"""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings.base")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["dateline", *argv])


if __name__ == "__main__":
    main()
