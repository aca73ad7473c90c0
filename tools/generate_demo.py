#!/usr/bin/env python3
"""Fill an Odoo database (with collection_management installed) with generated
customers and posted customer invoices.

    python tools/generate_demo.py -c odoo.conf -d DB --customers 2000 --invoices 10000
"""

import argparse
import json
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--companies", type=int, default=1, choices=(1, 2))
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    started = time.monotonic()
    registry = Registry(args.database)
    # importable once the registry has set up the addons path
    from odoo.addons.collection_management.demo.generator import DemoBook

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        result = DemoBook(env).generate(
            customers=args.customers,
            invoices=args.invoices,
            companies=args.companies,
            seed=args.seed,
        )
    result["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
