"""./dev bench: a throwaway PostgreSQL, a fresh database, then benchmarks/bench.py."""

import subprocess
import tempfile
import zipfile
from pathlib import Path

from . import odoo, paths, pg, venv
from .log import DevError, say

SIZES = {"small": (2000, 10000), "large": (20000, 100000)}
OCA_REQUIREMENT = "odoo-addon-account-credit-control>=18.0,<18.1"


def oca_addons():
    """OCA account_credit_control 18.0 from its wheel, unpacked outside the repository."""
    root = paths.STATE / "oca"
    addons = root / "addons"
    if (addons / "account_credit_control" / "__manifest__.py").is_file():
        return addons
    wheels = root / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    say(f"downloading {OCA_REQUIREMENT} (without dependencies) ...")
    result = subprocess.run(
        [
            venv.python(),
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "-d",
            str(wheels),
            OCA_REQUIREMENT,
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    found = sorted(wheels.glob("odoo_addon_account_credit_control-*.whl"))
    if result.returncode or not found:
        raise DevError("could not download the OCA account_credit_control wheel.")
    with zipfile.ZipFile(found[-1]) as archive:
        for name in archive.namelist():
            if name.startswith("odoo/addons/"):
                target = addons / name[len("odoo/addons/") :]
                target.parent.mkdir(parents=True, exist_ok=True)
                if not name.endswith("/"):
                    target.write_bytes(archive.read(name))
    return addons


def run(src, args):
    customers, invoices = SIZES[args.size]
    customers = args.customers or customers
    invoices = args.invoices or invoices
    extra = [oca_addons()] if args.with_oca else []
    modules = paths.ADDON + (",account_credit_control" if args.with_oca else "")
    with (
        pg.scratch_server() as server,
        tempfile.TemporaryDirectory(prefix="collection-bench-") as workdir,
    ):
        config = odoo.write_config(
            Path(workdir) / "odoo.conf",
            src,
            server,
            Path(workdir) / "data",
            extra_addons=extra,
        )
        db = "collection_bench"
        server.dropdb(db)
        odoo.install(config, db, demo=False, modules=modules, log=Path(workdir) / "install.log")
        cmd = [
            venv.python(),
            paths.REPO / "benchmarks" / "bench.py",
            "-c",
            config,
            "-d",
            db,
            "--customers",
            customers,
            "--invoices",
            invoices,
            "--companies",
            args.companies,
        ]
        if args.steps:
            cmd += ["--steps", args.steps]
        if args.json:
            cmd += ["--json", Path(args.json).resolve()]
        say(f"benchmark: {customers} customers, {invoices} invoices, {args.companies} companies")
        return subprocess.run([str(c) for c in cmd], check=False).returncode
