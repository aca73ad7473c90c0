"""Where things live: the repository, and the per-user state kept outside of it."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ADDON = "collection_management"
ADDON_DIR = REPO / ADDON
# the bridge addons beside the addon, installed with the Odoo apps they depend on
BRIDGES = ("collection_management_sale", "collection_management_stock")
BRIDGE_APPS = ("sale_management", "stock")
ADDONS = (ADDON, *BRIDGES)

# Everything the setup creates or remembers lives outside the repository, so that a
# fresh clone on the same machine finds the Odoo source and the virtualenv again.
STATE = Path(
    os.environ.get("COLLECTION_DEV_HOME")
    or Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    / "collection_management"
)
REMEMBERED_SRC = STATE / "odoo-src"
VENV = STATE / "venv"
SOURCES = STATE / "sources"
RUN = STATE / "run"

DEFAULT_SRC_URL = "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"


def venv_bin(name):
    return VENV / "bin" / name
