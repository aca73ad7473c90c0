"""The whole test suite: lint, static checks, then the Odoo tests in a real database.

Ends with one line ``N passed, N failed`` (``, N skipped`` when any were skipped).
"""

import os
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import odoo, odoosrc, paths, pg, venv
from .log import DevError, loud, say

LINT_TARGETS = [*paths.ADDONS, "tools", "benchmarks", "checks", "dev"]
# the databases the Odoo tests run in: name, demo data, modules installed, addons tested.
# The bridges get a database of their own with the apps they bridge to; it runs in the
# same pool, after the database with demo data, whose tests end well before the others.
VARIANTS = [
    ("demo", True, (paths.ADDON,), (paths.ADDON,)),
    ("nodemo", False, (paths.ADDON,), (paths.ADDON,)),
    ("bridges", False, (*paths.BRIDGE_APPS, *paths.BRIDGES), paths.BRIDGES),
]


class Summary:
    def __init__(self):
        self.rows = []

    def add(self, name, passed, failed, skipped=0):
        self.rows.append((name, passed, failed, skipped))

    def total(self, index):
        return sum(row[index] for row in self.rows)

    def print(self):
        print()
        print("=" * 78)
        for name, passed, failed, skipped in self.rows:
            extra = f", {skipped} skipped" if skipped else ""
            print(f"  {name:<44} {passed:>5} passed, {failed} failed{extra}")
        print("=" * 78)
        line = f"{self.total(1)} passed, {self.total(2)} failed"
        if self.total(3):
            line += f", {self.total(3)} skipped"
        print(line, flush=True)


def _junit_counts(path):
    if not Path(path).exists():
        return 0, 1, 0
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = failures = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests - failures - skipped, failures, skipped


def _run(cmd, **kwargs):
    print("$ " + " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=False, cwd=paths.REPO, **kwargs)


def _lint(summary):
    targets = [t for t in LINT_TARGETS if (paths.REPO / t).exists()]
    checks = [
        ("lint: ruff check", [paths.venv_bin("ruff"), "check", *targets]),
        ("lint: ruff format --check", [paths.venv_bin("ruff"), "format", "--check", *targets]),
        (
            "lint: pylint-odoo",
            [
                venv.python(),
                "-m",
                "pylint",
                "--rcfile",
                paths.REPO / ".pylintrc",
                *paths.ADDONS,
            ],
        ),
    ]
    for name, cmd in checks:
        result = _run(cmd)
        summary.add(name, int(result.returncode == 0), int(result.returncode != 0))


def _static(summary, workdir):
    junit = Path(workdir) / "static.xml"
    _run(
        [
            venv.python(),
            "-m",
            "pytest",
            "-p",
            "no:odoo",
            "-p",
            "no:cacheprovider",
            "-q",
            f"--junitxml={junit}",
            "checks",
        ]
    )
    summary.add("static checks (no Odoo needed)", *_junit_counts(junit))


def _odoo_suite(src, server, workdir, variant, keyword=None):
    variant, demo, modules, tested = variant
    db = f"collection_test_{variant}"
    server.dropdb(db)
    config = odoo.write_config(
        Path(workdir) / f"odoo-{variant}.conf",
        src,
        server,
        Path(workdir) / f"data-{variant}",
        without_demo="False" if demo else "all",
    )
    install_log = Path(workdir) / f"install-{variant}.log"
    started = time.monotonic()
    odoo.install(config, db, demo, modules=",".join(modules), log=install_log)
    say(f"{db}: installed in {time.monotonic() - started:.0f}s")
    junit = Path(workdir) / f"odoo-{variant}.xml"
    log = Path(workdir) / f"pytest-{variant}.log"
    cmd = [
        venv.python(),
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        f"--odoo-database={db}",
        f"--odoo-config={config}",
        "--odoo-log-level=warn",
        "--odoo-http",
        "-o",
        "console_output_style=classic",
        "-rfEs",
        f"--junitxml={junit}",
        *(str(paths.REPO / addon / "tests") for addon in tested),
    ]
    if keyword:
        cmd += ["-k", keyword]
    if demo:
        # the simulation lives a book of its own and checks the whole database: it runs
        # in the database without demo data, where its book is alone
        cmd += ["--deselect", f"{paths.ADDON}/tests/test_simulation.py"]
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        subprocess.run(cmd, cwd=paths.REPO, stdout=out, stderr=subprocess.STDOUT, check=False)
    say(f"{db}: tests ran in {time.monotonic() - started:.0f}s")
    return variant, log, junit


def _odoo(summary, src, workdir, fast=False, keyword=None):
    with pg.scratch_server() as server:
        variants = [v for v in VARIANTS if v[0] != "demo"] if fast else VARIANTS
        only = os.environ.get("COLLECTION_TEST_VARIANTS")
        if only:
            variants = [v for v in variants if v[0] in only.split(",")]
        jobs = int(os.environ.get("COLLECTION_TEST_JOBS", "2"))
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [
                pool.submit(_odoo_suite, src, server, workdir, variant, keyword)
                for variant in variants
            ]
            for future in futures:
                try:
                    variant, log, junit = future.result()
                except DevError as error:
                    summary.add(f"odoo install ({error})", 0, 1)
                    continue
                title = {
                    "demo": "database installed with demo data",
                    "nodemo": "database installed without demo data",
                    "bridges": "bridges to Sales and Inventory, database without demo data",
                }[variant]
                print(f"----- Odoo tests, {title} -----")
                print(Path(log).read_text(encoding="utf-8"), flush=True)
                summary.add(f"odoo tests ({variant} database)", *_junit_counts(junit))


def run(args):
    src = odoosrc.resolve(download=True)
    venv.ensure(src)
    summary = Summary()
    with tempfile.TemporaryDirectory(prefix="collection-test-") as workdir:
        os.chmod(workdir, 0o755)
        if not args.fast:
            _lint(summary)
        _static(summary, workdir)
        if src and venv.has_odoo():
            from .system import ensure_system_packages

            ensure_system_packages()
            _odoo(summary, src, workdir, fast=args.fast, keyword=args.keyword)
        else:
            modules = sorted(
                str(p.relative_to(paths.REPO))
                for addon in paths.ADDONS
                for p in (paths.REPO / addon / "tests").glob("test_*.py")
            )
            loud(
                "ODOO TESTS NOT RUN",
                [
                    "No Odoo 18.0 source was found, so these test modules, which need a",
                    "real Odoo server and PostgreSQL, were NOT run:",
                    *(f"  - {name}" for name in modules),
                    "Give a source with ODOO_SRC=<source dir or tarball> and run ./dev test",
                    "again; it is remembered for later runs.",
                ],
            )
            summary.add("odoo tests: NOT RUN (no Odoo source)", 0, 0)
    summary.print()
    return 1 if summary.total(2) else 0
