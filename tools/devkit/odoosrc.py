"""Find the Odoo 18.0 source tree: given, remembered, or downloaded, and remember it."""

import os
import re
import shutil
import tarfile
import urllib.request
from pathlib import Path

from . import paths
from .log import DevError, say, warn


def _is_odoo_tree(path):
    return (Path(path) / "odoo" / "release.py").is_file()


def _check_version(tree):
    text = (Path(tree) / "odoo" / "release.py").read_text(encoding="utf-8")
    match = re.search(r"version_info\s*=\s*\((\d+),\s*(\d+)", text)
    if not match or (match.group(1), match.group(2)) != ("18", "0"):
        found = ".".join(match.groups()) if match else "unknown"
        raise DevError(f"{tree} holds Odoo {found}; collection_management needs Odoo 18.0.")


def _find_tree_below(root):
    root = Path(root)
    if _is_odoo_tree(root):
        return root
    for child in sorted(root.iterdir()):
        if child.is_dir() and _is_odoo_tree(child):
            return child
    return None


def _extract(tarball):
    tarball = Path(tarball).resolve()
    target = paths.SOURCES / re.sub(r"(\.tar)?\.(gz|bz2|xz|tgz)$", "", tarball.name)
    found = _find_tree_below(target) if target.is_dir() else None
    if found:
        return found
    say(f"extracting {tarball.name} ...")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(partial, filter="data")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    found = _find_tree_below(target)
    if not found:
        raise DevError(f"{tarball} does not contain an Odoo source tree (no odoo/release.py).")
    return found


def _from_given(value):
    given = Path(os.path.expanduser(value))
    if given.is_dir():
        tree = _find_tree_below(given)
        if not tree:
            raise DevError(f"ODOO_SRC={value} is not an Odoo source tree (no odoo/release.py).")
        return tree
    if given.is_file():
        return _extract(given)
    raise DevError(f"ODOO_SRC={value} does not exist.")


def _download():
    paths.SOURCES.mkdir(parents=True, exist_ok=True)
    tarball = paths.SOURCES / "odoo_18.0.latest.tar.gz"
    if not tarball.is_file():
        say(f"no Odoo source given; trying the official nightly: {paths.DEFAULT_SRC_URL}")
        partial = tarball.with_suffix(".partial")
        try:
            with (
                urllib.request.urlopen(paths.DEFAULT_SRC_URL, timeout=30) as response,
                open(partial, "wb") as out,
            ):
                shutil.copyfileobj(response, out, length=1 << 20)
        except OSError as error:
            partial.unlink(missing_ok=True)
            warn(f"could not download the Odoo source ({error}).")
            return None
        partial.rename(tarball)
    return _extract(tarball)


def remember(tree):
    paths.STATE.mkdir(parents=True, exist_ok=True)
    paths.REMEMBERED_SRC.write_text(str(Path(tree).resolve()) + "\n", encoding="utf-8")


def remembered():
    if paths.REMEMBERED_SRC.is_file():
        tree = Path(paths.REMEMBERED_SRC.read_text(encoding="utf-8").strip())
        if _is_odoo_tree(tree):
            return tree
        warn(f"the remembered Odoo source {tree} is gone.")
    return None


def resolve(download=True):
    """Return the Odoo source tree to use, or None when there is none at all."""
    given = os.environ.get("ODOO_SRC")
    if given:
        tree = _from_given(given)
    else:
        tree = remembered() or (_download() if download else None)
    if tree is None:
        return None
    _check_version(tree)
    if tree != remembered():
        remember(tree)
        say(f"Odoo source: {tree} (remembered in {paths.REMEMBERED_SRC})")
    return Path(tree)
