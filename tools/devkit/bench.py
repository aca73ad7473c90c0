"""./dev bench: a throwaway PostgreSQL, a fresh database, then benchmarks/bench.py."""

import json
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from . import odoo, paths, pg, venv
from .log import DevError, say

SIZES = {"small": (2000, 10000), "large": (20000, 100000)}
ALL_STEPS = (
    "generate",
    "followup",
    "oca",
    "statements",
    "cases",
    "promises",
    "worklist",
    "exports",
)
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


def _bench_cmd(config, db, customers, invoices, args, steps, json_path):
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
        "--generator",
        args.generator,
    ]
    if steps:
        cmd += ["--steps", ",".join(steps)]
    if json_path:
        cmd += ["--json", json_path]
    return [str(c) for c in cmd]


def _save_dataset(server, db, data_dir, cache):
    """pg_dump of the generated database and a copy of its filestore."""
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pg_dump", "-Fc", "-f", str(cache / "db.dump"), db], env=server.env(), check=True
    )
    filestore = data_dir / "filestore" / db
    if filestore.is_dir():
        shutil.rmtree(cache / "filestore", ignore_errors=True)
        shutil.copytree(filestore, cache / "filestore")
    say(f"generated dataset kept for --cache runs ({cache.name})")


def _restore_dataset(server, db, data_dir, cache):
    subprocess.run(["createdb", db], env=server.env(), check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", "-d", db, str(cache / "db.dump")],
        env=server.env(),
        check=True,
    )
    if (cache / "filestore").is_dir():
        shutil.copytree(cache / "filestore", data_dir / "filestore" / db)
    say(f"generated dataset restored ({cache.name})")


def _merge_json(parts, target):
    rows = []
    for part in parts:
        if part.is_file():
            rows += json.loads(part.read_text())
    target.write_text(json.dumps(rows, indent=2))


def run(src, args):
    customers, invoices = SIZES[args.size]
    customers = args.customers or customers
    invoices = args.invoices or invoices
    extra = [oca_addons()] if args.with_oca else []
    modules = paths.ADDON + (",account_credit_control" if args.with_oca else "")
    steps = args.steps.split(",") if args.steps else list(ALL_STEPS)
    cache = None
    if args.cache:
        suffix = "-oca" if args.with_oca else ""
        cache = (
            paths.STATE
            / "bench"
            / f"{customers}-{invoices}-{args.companies}-{args.generator}{suffix}"
        )
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
        say(
            f"benchmark: {customers} customers, {invoices} invoices, {args.companies} "
            f"companies ({args.generator} generator)"
        )
        json_parts = []
        if cache and (cache / "db.dump").is_file():
            _restore_dataset(server, db, Path(workdir) / "data", cache)
            # the addon may have changed since the dataset was generated
            odoo.update(config, db, log=Path(workdir) / "update.log")
            steps = [step for step in steps if step != "generate"]
        else:
            odoo.install(config, db, demo=False, modules=modules, log=Path(workdir) / "install.log")
            if cache and "generate" in steps:
                # generate alone first, so that the dataset can be kept before measuring
                part = Path(workdir) / "generate.json"
                cmd = _bench_cmd(config, db, customers, invoices, args, ["generate"], part)
                if subprocess.run(cmd, check=False).returncode:
                    return 1
                json_parts.append(part)
                _save_dataset(server, db, Path(workdir) / "data", cache)
                steps = [step for step in steps if step != "generate"]
        part = Path(workdir) / "steps.json"
        cmd = _bench_cmd(config, db, customers, invoices, args, steps, part)
        status = subprocess.run(cmd, check=False).returncode
        json_parts.append(part)
        if args.json:
            _merge_json(json_parts, Path(args.json).resolve())
        return status
