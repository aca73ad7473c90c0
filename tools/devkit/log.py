"""Small output helpers: every line of the tooling starts with a recognisable tag."""

import sys


def say(*parts):
    print("[dev]", *parts, flush=True)


def warn(*parts):
    print("[dev] WARNING:", *parts, file=sys.stderr, flush=True)


def loud(title, lines):
    bar = "!" * 78
    print(bar, flush=True)
    print("!! " + title, flush=True)
    for line in lines:
        print("!!   " + line, flush=True)
    print(bar, flush=True)


class DevError(Exception):
    """A problem the user can fix; printed without a traceback."""
