# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Collections - Inventory",
    "summary": "Stop supply: deliveries to customers on credit hold cannot be validated "
    "unless a collection manager overrides the hold",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/collection-management/collection_management",
    "author": "Collection Management Authors",
    "license": "LGPL-3",
    "depends": ["collection_management", "stock"],
    "auto_install": True,
    "data": [
        "security/ir.model.access.csv",
        "wizards/collection_picking_hold_override_views.xml",
        "views/stock_picking_views.xml",
    ],
}
