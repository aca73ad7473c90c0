"""./dev i18n: export the addon's terms from a real install, merge them into zh_CN.po."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from . import odoo, paths, pg
from .log import DevError, say

LANGS = ("zh_CN",)


def run(src):
    i18n_dir = paths.ADDON_DIR / "i18n"
    i18n_dir.mkdir(exist_ok=True)
    pot = i18n_dir / f"{paths.ADDON}.pot"
    with pg.scratch_server() as server, tempfile.TemporaryDirectory() as workdir:
        config = odoo.write_config(Path(workdir) / "odoo.conf", src, server, Path(workdir) / "data")
        db = "collection_i18n"
        odoo.install(config, db, demo=False, log=Path(workdir) / "install.log")
        exported = Path(workdir) / "export.pot"
        result = subprocess.run(
            odoo.odoo_cmd(
                config,
                "-d",
                db,
                f"--i18n-export={exported}",
                f"--modules={paths.ADDON}",
                "--stop-after-init",
                "--no-http",
            ),
            check=False,
            capture_output=True,
            text=True,
        )
        if result.returncode or not exported.exists():
            raise DevError("exporting the terms failed:\n" + result.stderr[-3000:])
        shutil.copyfile(exported, pot)
    say(f"wrote {pot.relative_to(paths.REPO)}")
    for lang in LANGS:
        po = i18n_dir / f"{lang}.po"
        if not po.exists():
            shutil.copyfile(pot, po)
            text = po.read_text(encoding="utf-8").replace(
                '"Language: \\n"', f'"Language: {lang}\\n"'
            )
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
    return 0
