"""./dev i18n: export the terms of the addon and its bridges from a real install, merge
them into each one's zh_CN.po."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from . import odoo, paths, pg
from .log import DevError, say

LANGS = ("zh_CN",)


def run(src, modules=None):
    """Export the terms of ``modules`` (the addon and its bridges by default) from one
    database where all are installed, each into its own i18n/ folder."""
    modules = modules or list(paths.ADDONS)
    unknown = sorted(set(modules) - set(paths.ADDONS))
    if unknown:
        raise DevError(f"not an addon of this repository: {', '.join(unknown)}")
    with pg.scratch_server() as server, tempfile.TemporaryDirectory() as workdir:
        config = odoo.write_config(Path(workdir) / "odoo.conf", src, server, Path(workdir) / "data")
        db = "collection_i18n"
        installed = [paths.ADDON]
        if set(modules) & set(paths.BRIDGES):
            installed += [*paths.BRIDGE_APPS, *paths.BRIDGES]
        odoo.install(
            config, db, demo=False, modules=",".join(installed), log=Path(workdir) / "install.log"
        )
        for module in modules:
            _export(config, db, module, Path(workdir) / f"{module}.pot")
    return 0


def _export(config, db, module, exported):
    i18n_dir = paths.REPO / module / "i18n"
    i18n_dir.mkdir(exist_ok=True)
    pot = i18n_dir / f"{module}.pot"
    result = subprocess.run(
        odoo.odoo_cmd(
            config,
            "-d",
            db,
            f"--i18n-export={exported}",
            f"--modules={module}",
            "--stop-after-init",
            "--no-http",
        ),
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode or not exported.exists():
        raise DevError(f"exporting the terms of {module} failed:\n" + result.stderr[-3000:])
    shutil.copyfile(exported, pot)
    say(f"wrote {pot.relative_to(paths.REPO)}")
    for lang in LANGS:
        _merge(i18n_dir / f"{lang}.po", pot, lang)


def _merge(po, pot, lang):
    if not po.exists():
        shutil.copyfile(pot, po)
        text = po.read_text(encoding="utf-8").replace('"Language: \\n"', f'"Language: {lang}\\n"')
        po.write_text(text, encoding="utf-8")
    subprocess.run(
        [
            "msgmerge",
            "--quiet",
            "--update",
            "--no-fuzzy-matching",
            "--backup=none",
            "--no-wrap",
            str(po),
            str(pot),
        ],
        check=True,
    )
    stats = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    say(f"{po.relative_to(paths.REPO)}: {stats.stderr.strip()}")
