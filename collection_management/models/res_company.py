from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .collection_values import check_numbers

# numeric collection settings: (lowest, highest) accepted, None for no upper bound
SETTING_BOUNDS = {
    "collection_limitation_years": (1, 30),
    "collection_case_min_amount": (0, None),
    "collection_case_min_days": (0, 3650),
    "collection_promise_grace_days": (0, 365),
    "collection_promise_max_days": (1, 3650),
    "collection_demand_days": (1, 365),
    "collection_portal_token_days": (1, 365),
    "collection_portal_max_instalments": (1, 24),
    "collection_background_run_threshold": (1, 1000000),
}


def _collection_settings(vals):
    """The numeric collection settings among ``vals``: only those are checked here."""
    return {name: value for name, value in vals.items() if name in SETTING_BOUNDS}


class ResCompany(models.Model):
    _inherit = "res.company"

    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Default follow-up policy",
        check_company=True,
        help="Follow-up policy of customers that have none of their own.",
    )
    collection_limitation_years = fields.Integer(
        string="Limitation period (years)",
        default=3,
        help="Statutory limitation period of claims (PRC Civil Code art. 188: 3 years).",
    )
    collection_case_min_amount = fields.Monetary(
        string="Open a case from (amount)",
        currency_field="currency_id",
        help="A collection case opens when a customer's overdue amount reaches this.",
    )
    collection_case_min_days = fields.Integer(
        string="Open a case from (days overdue)",
        default=30,
        help="... and its oldest overdue invoice is at least this many days overdue.",
    )

    collection_promise_grace_days = fields.Integer(
        string="Promise grace period (days)",
        default=3,
        help="Days after the promised date before an unpaid promise counts as broken.",
    )
    collection_promise_max_days = fields.Integer(
        string="Promises up to (days ahead)",
        default=365,
        help="A promise to pay is for a date at most this many days after the day it is made.",
    )
    collection_demand_days = fields.Integer(
        string="Payment deadline of demand letters (days)",
        default=10,
        help="Days given to the debtor to pay in demand and lawyer's letters.",
    )
    collection_portal_token_days = fields.Integer(
        string="Customer links valid for (days)",
        default=30,
        help="The link to the collection page in a reminder lets the customer in without "
        "a login for this many days.",
    )
    collection_portal_max_instalments = fields.Integer(
        string="Instalments a customer may promise",
        default=3,
        help="On the collection page, a customer promises to pay in at most this many "
        "instalments at once.",
    )
    collection_background_run_threshold = fields.Integer(
        string="Background runs above",
        default=500,
        help="A follow-up run or a send of more customers than this runs in the "
        "background, with its progress shown and its summary posted when done.",
    )

    collection_block_held_invoices = fields.Boolean(
        string="Block invoices of held customers",
        help="Customer invoices of a customer on credit hold cannot be posted; a "
        "collection manager can override, and the override is logged.",
    )

    collection_weekly_report_day = fields.Selection(
        [
            ("0", "Monday"),
            ("1", "Tuesday"),
            ("2", "Wednesday"),
            ("3", "Thursday"),
            ("4", "Friday"),
            ("5", "Saturday"),
            ("6", "Sunday"),
        ],
        string="Weekly report day",
        default="4",
        required=True,
        help="Day the weekly collection report is sent, covering the seven days up to it.",
    )
    collection_weekly_report_user_ids = fields.Many2many(
        "res.users",
        "res_company_collection_weekly_report_user_rel",
        "company_id",
        "user_id",
        string="Weekly report also to",
        domain="[('share', '=', False)]",
        help="Users who get the weekly report besides the collection managers, e.g. the "
        "sales managers.",
    )

    @api.constrains("collection_weekly_report_user_ids")
    def _check_collection_weekly_report_users(self):
        for company in self:
            users = company.sudo().collection_weekly_report_user_ids
            strangers = users.filtered(
                lambda user, c=company: user.share or c not in user.company_ids
            )
            if strangers:
                raise ValidationError(
                    _(
                        "The weekly report goes to internal users of the company only: "
                        "%(users)s cannot receive it.",
                        users=", ".join(strangers.mapped("name")),
                    )
                )

    @api.constrains(*SETTING_BOUNDS)
    def _check_collection_settings(self):
        for company in self:
            for name, (lowest, highest) in SETTING_BOUNDS.items():
                if company[name] < lowest or (highest is not None and company[name] > highest):
                    raise ValidationError(company._collection_setting_error(name))

    def _collection_setting_error(self, name):
        highest = SETTING_BOUNDS[name][1]
        messages = {
            "collection_limitation_years": _(
                "The limitation period must be at least one year and at most %(highest)s years.",
                highest=highest,
            ),
            "collection_case_min_amount": _(
                "The amount overdue that opens a case cannot be negative."
            ),
            "collection_case_min_days": _(
                "The days overdue that open a case cannot be negative or more than %(highest)s.",
                highest=highest,
            ),
            "collection_promise_grace_days": _(
                "The grace period of promises cannot be negative or longer than %(highest)s days.",
                highest=highest,
            ),
            "collection_promise_max_days": _(
                "Promises to pay can be made for between 1 and %(highest)s days ahead.",
                highest=highest,
            ),
            "collection_demand_days": _(
                "A demand letter must give at least one day and at most %(highest)s days to pay.",
                highest=highest,
            ),
            "collection_portal_token_days": _(
                "Customer links must be valid for at least one day and at most %(highest)s days.",
                highest=highest,
            ),
            "collection_portal_max_instalments": _(
                "Customers may promise between 1 and %(highest)s instalments.",
                highest=highest,
            ),
            "collection_background_run_threshold": _(
                "Follow-ups go to the background above a number of customers between 1 and "
                "%(highest)s.",
                highest=highest,
            ),
        }
        return messages[name]

    @api.model_create_multi
    def create(self, vals_list):
        check_numbers(self, [_collection_settings(vals) for vals in vals_list])
        companies = super().create(vals_list)
        companies._collection_ensure_default_policy()
        return companies

    def write(self, vals):
        check_numbers(self, [_collection_settings(vals)])
        return super().write(vals)

    def _collection_ensure_default_policy(self):
        """Give each company without a default policy a copy of the shipped one."""
        template = self.env.ref(
            "collection_management.collection_policy_default", raise_if_not_found=False
        )
        if not template:
            return
        template = template.sudo()
        for company in self.sudo().filtered(lambda c: not c.collection_policy_id):
            if template.company_id == company:
                company.collection_policy_id = template
                continue
            company.collection_policy_id = template.copy(
                {"company_id": company.id, "name": template.name}
            )
