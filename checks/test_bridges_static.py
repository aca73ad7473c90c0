"""Checks of the bridge addons (stop supply in Sales and Inventory) that need no Odoo:
manifest, files, XML, access rights, imports and the Chinese catalogue."""

import ast
import csv
import re

import polib
import pytest
from lxml import etree

from .conftest import REPO

BRIDGES = {
    "collection_management_sale": "sale",
    "collection_management_stock": "stock",
}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


def _manifest(bridge):
    return ast.literal_eval((REPO / bridge / "__manifest__.py").read_text(encoding="utf-8"))


def _declared_models(bridge):
    found = []
    for path in sorted((REPO / bridge).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") == "_name" for t in node.targets
            ):
                found.append(node.value.value)
    return found


@pytest.mark.parametrize("bridge", BRIDGES)
def test_manifest_installs_the_bridge_with_its_app(bridge):
    manifest = _manifest(bridge)
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", manifest["version"])
    assert manifest["license"] == "LGPL-3"
    assert manifest["author"] == "Collection Management Authors"
    assert manifest["depends"] == ["collection_management", BRIDGES[bridge]]
    assert manifest["auto_install"] is True
    assert (REPO / bridge / "pyproject.toml").is_file()


@pytest.mark.parametrize("bridge", BRIDGES)
def test_data_files_are_listed_and_exist(bridge):
    root = REPO / bridge
    listed = _manifest(bridge)["data"]
    assert not [name for name in listed if not (root / name).is_file()]
    files = sorted(root.glob("*/*.xml")) + sorted(root.glob("security/*.csv"))
    orphans = [str(p.relative_to(root)) for p in files if str(p.relative_to(root)) not in listed]
    assert not orphans, f"data files never loaded: {orphans}"


@pytest.mark.parametrize("bridge", BRIDGES)
def test_xml_parses_and_follows_conventions(bridge):
    for path in sorted((REPO / bridge).rglob("*.xml")):
        etree.parse(str(path))
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<record\s+model=", text), path
        assert "<tree" not in text and "attrs=" not in text and "states=" not in text, path


@pytest.mark.parametrize("bridge", BRIDGES)
def test_every_model_has_an_access_line(bridge):
    with open(REPO / bridge / "security" / "ir.model.access.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    covered = {row["model_id:id"] for row in rows}
    models = _declared_models(bridge)
    assert models
    missing = [name for name in models if "model_" + name.replace(".", "_") not in covered]
    assert not missing, f"models without an access line: {missing}"


@pytest.mark.parametrize("bridge", BRIDGES)
def test_every_module_is_imported(bridge):
    root = REPO / bridge
    missing = []
    for package in ("models", "wizards", "tests"):
        init = (root / package / "__init__.py").read_text(encoding="utf-8")
        for path in sorted((root / package).glob("*.py")):
            stem = path.stem
            skipped = stem == "__init__" or (package == "tests" and not stem.startswith("test_"))
            if not skipped and not re.search(rf"\b{stem}\b", init):
                missing.append(f"{package}/{path.name}")
    assert not missing, f"modules never imported: {missing}"
    assert list((root / "tests").glob("test_*.py"))


@pytest.mark.parametrize("bridge", BRIDGES)
def test_no_fstring_or_percent_inside_translations(bridge):
    offenders = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / bridge).rglob("*.py"))
        if re.search(r"_\(\s*f[\"']", text := path.read_text(encoding="utf-8"))
        or re.search(r"_\([^()]*[\"']\s*\)\s*%", text)
    ]
    assert not offenders


@pytest.mark.parametrize("bridge", BRIDGES)
def test_chinese_catalogue_covers_and_translates_the_template(bridge):
    i18n = REPO / bridge / "i18n"
    template = {e.msgid for e in polib.pofile(str(i18n / f"{bridge}.pot")) if e.msgid}
    catalogue = polib.pofile(str(i18n / "zh_CN.po"))
    entries = [e for e in catalogue if not e.obsolete]
    assert template
    assert not sorted(template - {e.msgid for e in entries})
    assert not [e.msgid for e in entries if not e.msgstr or e.fuzzy]
    han = re.compile(r"[\u4e00-\u9fff]")
    # a code such as "ID" may stay as it is
    assert not [e.msgid for e in entries if not han.search(e.msgstr) and e.msgid != "ID"]
    assert not [
        e.msgid
        for e in entries
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr))
    ]


def test_readme_presents_the_bridges():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for bridge in BRIDGES:
        assert bridge in readme
