# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Collections",
    "summary": "Receivables collection: follow-up levels, reminders, cases, "
    "promises to pay, disputes, legal action and Excel reports",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/collection-management/collection_management",
    "author": "Collection Management Authors",
    "license": "LGPL-3",
    "application": True,
    "depends": ["account"],
    "post_init_hook": "post_init_hook",
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/collection_management_security.xml",
        "security/ir.model.access.csv",
        "data/mail_template_data.xml",
        "data/collection_policy_data.xml",
        "views/collection_policy_views.xml",
        "views/collection_level_views.xml",
        "views/collection_followup_views.xml",
        "views/res_config_settings_views.xml",
        "views/collection_menus.xml",
    ],
    "demo": [
        "demo/collection_demo.xml",
    ],
}
