# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Collections - Sales",
    "summary": "Stop supply: quotations of customers on credit hold cannot be confirmed "
    "unless a collection manager overrides the hold",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/collection-management/collection_management",
    "author": "Collection Management Authors",
    "license": "LGPL-3",
    "depends": ["collection_management", "sale"],
    "auto_install": True,
    "data": [
        "security/ir.model.access.csv",
        "wizards/collection_sale_hold_override_views.xml",
        "views/sale_order_views.xml",
    ],
}
