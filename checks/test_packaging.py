"""The addon builds as a standard wheel, the way OCA addons are published."""

import ast
import importlib.util
import re
import subprocess
import sys
import zipfile
from email.parser import Parser

import pytest

from .conftest import ADDON

PREFIX = "odoo/addons/collection_management/"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-w",
            str(out),
            str(ADDON),
        ],
        check=True,
        capture_output=True,
    )
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def _metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(archive.read(name).decode())


def test_wheel_name_version_and_requirements(wheel, manifest):
    # in a git checkout, the version counts the commits since the manifest's version
    version = re.escape(manifest["version"]) + r"(\.\d+)?"
    assert re.fullmatch(f"odoo_addon_collection_management-{version}-py3-none-any.whl", wheel.name)
    metadata = _metadata(wheel)
    assert metadata["Name"] == "odoo-addon-collection_management"
    assert re.fullmatch(version, metadata["Version"])
    requires = metadata.get_all("Requires-Dist")
    assert "odoo==18.0.*" in requires
    assert metadata["License"] == "LGPL-3"


def test_wheel_holds_the_whole_addon(wheel, manifest):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        packaged_manifest = ast.literal_eval(archive.read(PREFIX + "__manifest__.py").decode())
    assert packaged_manifest == manifest
    expected = manifest["data"] + manifest.get("demo", []) + ["static/description/icon.png"]
    missing = [name for name in expected if PREFIX + name not in names]
    assert not missing, missing
    python_files = {str(p.relative_to(ADDON)) for p in ADDON.rglob("*.py")}
    assert {PREFIX + name for name in python_files} <= names


def test_wheel_installs_next_to_odoo(wheel):
    """pip resolves the wheel against the Odoo of the environment: with Odoo 18
    installed it would install; without Odoo, it names the missing requirement."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--no-index",
            "--disable-pip-version-check",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if importlib.util.find_spec("odoo") is not None:
        assert result.returncode == 0, result.stderr
        assert "Would install odoo-addon-collection_management" in result.stdout
    else:
        assert result.returncode != 0
        assert "odoo==18.0.*" in result.stderr


def test_wheel_unpacks_as_an_odoo_addon(wheel, tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "--target",
            str(tmp_path / "site"),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    addon = tmp_path / "site" / "odoo" / "addons" / "collection_management"
    assert (addon / "__manifest__.py").is_file()
    assert (addon / "security" / "ir.model.access.csv").is_file()
    # odoo.addons is a namespace: the wheel must not ship an __init__ that would hide Odoo's
    assert not (tmp_path / "site" / "odoo" / "addons" / "__init__.py").exists()
    assert not (tmp_path / "site" / "odoo" / "__init__.py").exists()
