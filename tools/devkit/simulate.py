"""./dev simulate: books of receivables lived day by day, invariants checked every day.

    ./dev simulate --days 365 --seed 7     one book, one line per day
    ./dev simulate --days 120 --seeds 20   seeds 1 to 20, then one line per seed

The simulator is collection_management/tests/simulation.py, the one the Odoo test
runs. By default it runs in a fresh database of a throwaway PostgreSQL cluster (or of
PGHOST); ``--database`` runs it in an existing database of the dev cluster that has the
addon installed. Each seed runs in a transaction that is rolled back at its end.

This file is also the script that runs inside Odoo (with the virtualenv's python).
"""

import argparse
import importlib.util
import logging
import sys
import tempfile
import time
import types
from pathlib import Path

SIMULATION = (
    Path(__file__).resolve().parents[2] / "collection_management" / "tests" / "simulation.py"
)


def run(src, args, config=None):
    """Create the database when none is given, then run the script below in it."""
    from . import odoo, pg
    from .log import say

    if config is not None:
        return _run_script(config, args.database, args)
    with (
        pg.scratch_server() as server,
        tempfile.TemporaryDirectory(prefix="collection-simulate-") as workdir,
    ):
        config = odoo.write_config(Path(workdir) / "odoo.conf", src, server, Path(workdir) / "data")
        db = "collection_simulate"
        server.dropdb(db)
        odoo.install(config, db, demo=False, log=Path(workdir) / "install.log")
        say(f"simulating in the fresh database {db}")
        return _run_script(config, db, args)


def _run_script(config, db, args):
    import subprocess

    from . import venv

    cmd = [venv.python(), __file__, "--config", config, "--database", db, "--days", args.days]
    cmd += ["--seeds", args.seeds] if args.seeds else ["--seed", args.seed]
    if args.stop:
        cmd.append("--stop")
    if args.quiet:
        cmd.append("--quiet")
    return subprocess.run([str(part) for part in cmd], check=False).returncode


# ---------------------------------------------------------------------- inside Odoo
def _load_simulation():
    # a package of its own around the tests folder: the simulator imports its helper
    # modules beside it, without importing the test suite
    package = types.ModuleType("collection_simulation")
    package.__path__ = [str(SIMULATION.parent)]
    sys.modules["collection_simulation"] = package
    spec = importlib.util.spec_from_file_location("collection_simulation.simulation", SIMULATION)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _simulate_seed(registry, module, seed, args):
    import odoo

    started = time.monotonic()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        simulation = module.CollectionSimulation(
            env, seed, args.days, strict=args.stop, out=None if args.quiet else print
        )
        try:
            simulation.run()
        except AssertionError as failure:
            print(failure, flush=True)
        finally:
            cr.rollback()
    took = time.monotonic() - started
    failures = simulation.failures
    if failures and not args.stop:
        print(f"--- seed {seed}: {len(failures)} broken invariant(s)")
        for failure in failures:
            print(f"day {failure['day']} ({failure['date']}): {failure['text']}")
    totals = simulation.totals
    line = (
        f"seed {seed}: {simulation.day_index} days in {took:.0f} s, {totals['invoices']} "
        f"invoices, {totals['payments']} payments, {totals['emails']} emails, "
        f"{totals['promises']} promises, {len(failures)} broken invariant(s)"
    )
    print(line, flush=True)
    return line, failures


def main(argv):
    parser = argparse.ArgumentParser(description="run the collection simulation in Odoo")
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seeds", type=int, help="run seeds 1 to N")
    parser.add_argument("--stop", action="store_true", help="stop at the first broken day")
    parser.add_argument("--quiet", action="store_true", help="no line per day")
    args = parser.parse_args(argv)

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    # wkhtmltopdf without patched Qt warns at every statement it renders
    logging.getLogger("odoo.addons.base.models.ir_actions_report").setLevel(logging.ERROR)
    registry = Registry(args.database)
    module = _load_simulation()
    seeds = range(1, args.seeds + 1) if args.seeds else [args.seed]
    lines, broken = [], {}
    for seed in seeds:
        line, failures = _simulate_seed(registry, module, seed, args)
        lines.append(line)
        for failure in failures:
            broken.setdefault(failure["invariant"], []).append((seed, failure["day"]))
    print("=" * 78)
    print("\n".join(lines))
    for invariant, where in sorted(broken.items()):
        first = ", ".join(f"seed {seed} day {day}" for seed, day in where[:5])
        more = ", ..." if len(where) > 5 else ""
        print(f"broken: {invariant}: {len(where)} time(s): {first}{more}")
    print("all invariants held" if not broken else f"{len(broken)} invariant(s) broken")
    return 1 if broken else 0


if __name__ == "__main__":
    # run as a script, this folder comes first on the path, and its odoo.py is not Odoo
    HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.exit(main(sys.argv[1:]))
