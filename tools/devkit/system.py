"""Debian packages Odoo needs beyond Python: a headless browser for tours, wkhtmltopdf for
PDF reports, CJK fonts so that Chinese documents render, poppler to read printed PDFs."""

import os
import shutil
import subprocess

from .log import say, warn

PACKAGES = {
    "chromium": lambda: shutil.which("chromium") or shutil.which("chromium-browser"),
    "wkhtmltopdf": lambda: shutil.which("wkhtmltopdf"),
    # the letterhead tests read printed letters as pictures and text
    "poppler-utils": lambda: shutil.which("pdftoppm") and shutil.which("pdftotext"),
    "fonts-noto-cjk": lambda: os.path.isdir("/usr/share/fonts/opentype/noto"),
}


def ensure_system_packages():
    missing = [name for name, present in PACKAGES.items() if not present()]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        warn("missing system packages (install them to run every test): " + " ".join(missing))
        return
    say("installing system packages: " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    result = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        env=env,
        check=False,
    )
    if result.returncode:
        warn("could not install: " + " ".join(missing))
