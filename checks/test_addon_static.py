"""Checks of the addon that need no Odoo: files, manifest, XML, access rights."""

import ast
import csv
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from .conftest import ADDON, REPO

XML_FILES = sorted(p for p in ADDON.rglob("*.xml") if "static" not in p.parts)
PY_FILES = sorted(ADDON.rglob("*.py"))


def _declared_models():
    """(name, kind, file) of every model the addon declares with _name."""
    found = []
    for path in PY_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {getattr(base, "attr", getattr(base, "id", "")) for base in node.bases}
            kind = next(
                (k for k in ("Model", "TransientModel", "AbstractModel") if k in bases), None
            )
            if not kind:
                continue
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and any(getattr(t, "id", "") == "_name" for t in stmt.targets)
                    and isinstance(stmt.value, ast.Constant)
                ):
                    found.append((stmt.value.value, kind, path.relative_to(REPO)))
    return found


def test_manifest_basics(manifest):
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", manifest["version"])
    assert manifest["license"] == "LGPL-3"
    # accounting; online payment from the customer's collection page; the managers'
    # dashboard (both installed with account by Odoo itself)
    assert manifest["depends"] == ["account", "account_payment", "spreadsheet_dashboard"]
    assert manifest.get("installable", True) is True


def test_manifest_files_exist(manifest):
    listed = manifest.get("data", []) + manifest.get("demo", [])
    for bundle, globs in manifest.get("assets", {}).items():
        for pattern in globs:
            relative = pattern.split("/", 1)[1]
            assert list(ADDON.glob(relative)), f"{bundle}: {pattern} matches no file"
    missing = [
        name
        for name in manifest.get("data", []) + manifest.get("demo", [])
        if not (ADDON / name).is_file()
    ]
    assert listed
    assert not missing, f"listed in the manifest but missing: {missing}"


def test_every_data_file_is_in_the_manifest(manifest):
    listed = set(manifest.get("data", []) + manifest.get("demo", []))
    data_dirs = ("views", "data", "security", "demo", "report", "wizards")
    orphans = [
        str(path.relative_to(ADDON))
        for path in XML_FILES + sorted(ADDON.glob("security/*.csv"))
        if path.relative_to(ADDON).parts[0] in data_dirs
        and str(path.relative_to(ADDON)) not in listed
    ]
    assert not orphans, f"data files never loaded: {orphans}"


# models that apps the addon does not depend on give required columns (Sales: the
# warning of order lines on products): records of them in the addon's data files could
# not be inserted when the addon is updated in a database where those apps are installed
FOREIGN_REQUIRED_MODELS = ("product.product", "product.template")


def test_no_data_file_creates_records_other_apps_complete(manifest):
    offending = [
        f"{name}: {record.get('id')}"
        for name in manifest.get("data", [])
        if name.endswith(".xml")
        for record in etree.parse(str(ADDON / name)).getroot().iter("record")
        if record.get("model") in FOREIGN_REQUIRED_MODELS
    ]
    assert not offending, f"made in code on first use instead: {offending}"


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: str(p.relative_to(ADDON)))
def test_xml_parses(path):
    root = etree.parse(str(path)).getroot()
    assert root.tag == "odoo"


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: str(p.relative_to(ADDON)))
def test_xml_ids_follow_conventions(path):
    """``id`` before ``model``; no view uses the Odoo 16 ``tree`` or ``attrs``."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<record\s+model=", text), "write id before model"
    assert "<tree" not in text, "Odoo 18 uses <list>"
    assert "attrs=" not in text and "states=" not in text, "Odoo 18 uses invisible=/readonly="


def test_every_model_has_an_access_line():
    with open(ADDON / "security" / "ir.model.access.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    covered = {row["model_id:id"] for row in rows}
    missing = [
        name
        for name, kind, _path in _declared_models()
        if kind != "AbstractModel" and "model_" + name.replace(".", "_") not in covered
    ]
    assert not missing, f"models without an access line: {missing}"


def test_access_lines_are_unique_and_complete():
    with open(ADDON / "security" / "ir.model.access.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    for row in rows:
        for perm in ("perm_read", "perm_write", "perm_create", "perm_unlink"):
            assert row[perm] in ("0", "1"), row


def test_company_bound_models_have_a_company_rule():
    security = (ADDON / "security" / "collection_management_security.xml").read_text(
        encoding="utf-8"
    )
    rules = set(re.findall(r'ref="model_(\w+)"', security))
    company_bound = []
    for name, kind, path in _declared_models():
        if kind != "Model":
            continue
        source = (REPO / path).read_text(encoding="utf-8")
        if re.search(r"^\s+company_id = fields\.Many2one\(", source, re.M):
            company_bound.append(name.replace(".", "_"))
    missing = [name for name in company_bound if name not in rules]
    assert company_bound
    assert not missing, f"company-bound models without a record rule: {missing}"


def test_no_fstring_or_percent_inside_translations():
    offenders = []
    for path in PY_FILES:
        text = path.read_text(encoding="utf-8")
        if re.search(r"_\(\s*f[\"']", text) or re.search(r"_\([^()]*[\"']\s*\)\s*%", text):
            offenders.append(str(path.relative_to(REPO)))
    assert not offenders


def test_no_commit_outside_the_cron():
    offenders = [
        str(path.relative_to(REPO))
        for path in PY_FILES
        if "cr.commit()" in path.read_text(encoding="utf-8") and "tests" not in path.parts
    ]
    assert not offenders


def test_readme_gives_the_two_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "./dev start" in readme
    assert "./dev test" in readme
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^exec \./dev test$", ci, re.M)


def test_readme_fragments(manifest):
    for name in ("DESCRIPTION.md", "USAGE.md", "CONFIGURE.md", "ROADMAP.md"):
        assert (ADDON / "readme" / name).read_text(encoding="utf-8").strip(), name


def test_screenshots_are_shown_and_exist():
    """The README and the Apps page show the main screens, and every picture is there."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]*\]\((docs/screenshots/[^)]+\.png)\)", readme)
    page = (ADDON / "static" / "description" / "index.html").read_text(encoding="utf-8")
    on_page = re.findall(r'src="([^"]+\.png)"', page)
    # the main screens, in English and in Chinese, and the customer's side
    screens = {
        "case_kanban.png",
        "case_form.png",
        "followup_review.png",
        "excel_aging.png",
        "dashboard.png",
        "worklist_zh.png",
        "worklist_phone_zh.png",
        "case_form_zh.png",
        "portal_page.png",
        "portal_page_zh.png",
    }
    shown_names = {Path(path).name for path in shown}
    assert screens <= shown_names, screens - shown_names
    assert {"case_kanban.png", "worklist_zh.png", "portal_page_zh.png"} <= set(on_page)
    assert set(on_page) <= shown_names
    for path in shown:
        assert (REPO / path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
    for name in on_page:
        picture = ADDON / "static" / "description" / name
        assert picture.read_bytes() == (REPO / "docs" / "screenshots" / name).read_bytes()


def test_app_icon_exists():
    icon = ADDON / "static" / "description" / "icon.png"
    assert icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_dev_tool_help_runs():
    result = subprocess.run(
        ["python3", str(REPO / "dev"), "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "test" in result.stdout and "start" in result.stdout


def test_every_test_module_is_imported():
    """Odoo's own test runner only sees the modules that tests/__init__.py imports."""
    init = (ADDON / "tests" / "__init__.py").read_text(encoding="utf-8")
    modules = sorted(p.stem for p in (ADDON / "tests").glob("test_*.py"))
    missing = [name for name in modules if not re.search(rf"\b{name}\b", init)]
    assert not missing, f"test modules not imported in tests/__init__.py: {missing}"


def test_every_python_module_is_imported():
    missing = []
    for package in ("models", "wizards"):
        init = (ADDON / package / "__init__.py").read_text(encoding="utf-8")
        for path in sorted((ADDON / package).glob("*.py")):
            if path.stem != "__init__" and not re.search(rf"\b{path.stem}\b", init):
                missing.append(f"{package}/{path.name}")
    assert not missing, f"modules never imported: {missing}"
