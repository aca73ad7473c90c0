"""The virtualenv: Odoo's requirements (installable on Python 3.11), Odoo itself, dev tools."""

import hashlib
import shutil
import subprocess
import sys

from . import paths
from .log import DevError, say

# Odoo's requirements.txt pins for Python < 3.12 include packages that no longer build
# (cbor2 5.4.2, an old cryptography); its pins for Python >= 3.12 install on 3.11 too.
PIN_PYTHON = "3.12"
SKIP = {"python-ldap"}  # optional (auth_ldap only) and needs LDAP headers


def _python():
    for candidate in ("python3.11", "python3.12", "python3"):
        exe = shutil.which(candidate)
        if not exe:
            continue
        out = subprocess.run(
            [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if out in ("3.11", "3.12"):
            return exe
    raise DevError("Python 3.11 or 3.12 is needed to run Odoo 18 (python3.11 not found).")


def _pip(*args):
    cmd = [str(paths.venv_bin("python")), "-m", "pip", "--disable-pip-version-check", *args]
    result = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if result.returncode:
        sys.stdout.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise DevError("pip failed: " + " ".join(args))


_FILTER = r"""
import sys
from pip._vendor.packaging.markers import default_environment
from pip._vendor.packaging.requirements import Requirement
env = default_environment()
env.update(python_version=sys.argv[2], python_full_version=sys.argv[2] + ".0")
skip = set(sys.argv[3].split(","))
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#")[0].strip()
    if not line:
        continue
    req = Requirement(line)
    if req.name.lower() in skip or (req.marker and not req.marker.evaluate(env)):
        continue
    req.marker = None
    print(req)
"""


def _odoo_requirements(src):
    result = subprocess.run(
        [
            str(paths.venv_bin("python")),
            "-c",
            _FILTER,
            str(src / "requirements.txt"),
            PIN_PYTHON,
            ",".join(SKIP),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _stamp(src):
    digest = hashlib.sha256()
    digest.update((paths.REPO / "requirements-dev.txt").read_bytes())
    if src:
        digest.update(str(src).encode())
        digest.update((src / "requirements.txt").read_bytes())
    return digest.hexdigest()


def ensure(src):
    """Create or update the virtualenv; ``src`` None means dev tools only."""
    stamp_file = paths.VENV / ".collection-stamp"
    stamp = _stamp(src)
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        return
    if not paths.venv_bin("python").exists():
        say(f"creating the virtualenv in {paths.VENV}")
        paths.STATE.mkdir(parents=True, exist_ok=True)
        subprocess.run([_python(), "-m", "venv", str(paths.VENV)], check=True)
    _pip("install", "-q", "-U", "pip", "setuptools<70", "wheel")
    if src:
        say("installing Odoo's Python requirements ...")
        reqs = paths.VENV / "odoo-requirements.txt"
        reqs.write_text(_odoo_requirements(src), encoding="utf-8")
        # some of the pinned sdists only build with the old setuptools installed above
        _pip("install", "-q", "--no-build-isolation", "-r", str(reqs))
        say(f"installing Odoo from {src} ...")
        _pip("install", "-q", "--no-build-isolation", "--no-deps", "-e", str(src))
    say("installing the development tools ...")
    _pip("install", "-q", "-r", str(paths.REPO / "requirements-dev.txt"))
    stamp_file.write_text(stamp)


def has_odoo():
    if not paths.venv_bin("python").exists():
        return False
    return (
        subprocess.run(
            [str(paths.venv_bin("python")), "-c", "import odoo.release"],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )


def python():
    return str(paths.venv_bin("python"))


# only ./dev screenshots needs it: kept out of requirements-dev.txt so that setting up
# the test command does not download a browser driver
PLAYWRIGHT = "playwright==1.65.2"


def ensure_playwright():
    """Playwright for Python in the virtualenv (it drives the system's Chromium)."""
    check = [python(), "-c", "import playwright.sync_api"]
    if subprocess.run(check, capture_output=True, check=False).returncode:
        say(f"installing {PLAYWRIGHT} ...")
        _pip("install", "-q", PLAYWRIGHT)
