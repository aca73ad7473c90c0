"""Run Odoo from the virtualenv: configuration files, installs, the server."""

import configparser
import os
import re
import subprocess
import sys
from pathlib import Path

from . import paths
from .log import DevError, loud, say


def addons_path(src, extra=()):
    dirs = [Path(src) / "odoo" / "addons"]
    if (Path(src) / "addons").is_dir():
        dirs.append(Path(src) / "addons")
    dirs.append(paths.REPO)
    dirs.extend(Path(p) for p in extra)
    return ",".join(str(d) for d in dirs)


def write_config(target, src, server, data_dir, **options):
    parser = configparser.ConfigParser(interpolation=None)
    values = {
        "addons_path": addons_path(src, options.pop("extra_addons", ())),
        "data_dir": str(data_dir),
        "admin_passwd": "admin",
        "list_db": "True",
        "max_cron_threads": "0",
        "log_level": "warn",
        "http_interface": "127.0.0.1",
    }
    values.update(server.odoo_options())
    values.update({key: str(value) for key, value in options.items()})
    parser["options"] = values
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8") as out:
        parser.write(out)
    return target


def odoo_cmd(config, *args):
    return [str(paths.venv_bin("python")), "-m", "odoo", "-c", str(config), *args]


def server_cmd(config, *args):
    """The command that serves Odoo in prefork: Odoo starts its websocket process again
    from ``sys.argv[0]``, which must be a script (``python -m odoo`` cannot be)."""
    script = paths.venv_bin("odoo")
    if not Path(script).exists():
        raise DevError(f"{script} is missing: run ./dev setup --reset.")
    return [str(script), "-c", str(config), *args]


def install(config, db, demo, modules=paths.ADDON, log=None):
    """Create ``db`` and install ``modules`` (with or without demo data)."""
    args = ["-d", db, "-i", modules, "--stop-after-init", "--no-http"]
    if not demo:
        args.append("--without-demo=all")
    say(f"installing {modules} into {db} ({'with' if demo else 'without'} demo data) ...")
    with open(log or os.devnull, "w", encoding="utf-8") as out:
        result = subprocess.run(
            odoo_cmd(config, *args), stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if result.returncode:
        if log:
            sys.stdout.write(Path(log).read_text(encoding="utf-8")[-6000:])
        raise DevError(f"installing {modules} into {db} failed (exit {result.returncode}).")
    if log:
        # Odoo logs some failures (a broken view, a bad data record) and still exits 0
        errors = [
            line
            for line in Path(log).read_text(encoding="utf-8").splitlines()
            if re.search(r"\d (ERROR|CRITICAL) ", line)
        ]
        if errors:
            sys.stdout.write("\n".join(errors[:40]) + "\n")
            raise DevError(f"installing {modules} into {db} logged {len(errors)} error(s).")
        if demo:
            _say_demo_warnings(log)
    return result


def update(config, db, modules=paths.ADDON, log=None):
    """Update ``modules`` in ``db`` (a database restored from an older version)."""
    say(f"updating {modules} in {db} ...")
    with open(log or os.devnull, "w", encoding="utf-8") as out:
        result = subprocess.run(
            odoo_cmd(config, "-d", db, "-u", modules, "--stop-after-init", "--no-http"),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode:
        if log:
            sys.stdout.write(Path(log).read_text(encoding="utf-8")[-6000:])
        raise DevError(f"updating {modules} in {db} failed (exit {result.returncode}).")
    return result


def _say_demo_warnings(log):
    """The demo data installs Simplified Chinese for its Chinese users and customers;
    when it cannot, it logs why, and that must not scroll by unseen."""
    warnings = [
        line.split("Demo data: ", 1)[1]
        for line in Path(log).read_text(encoding="utf-8").splitlines()
        if " WARNING " in line and "Demo data: " in line
    ]
    if warnings:
        loud("the demo data is incomplete", warnings)
