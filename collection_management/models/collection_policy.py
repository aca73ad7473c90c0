from collections import Counter, defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


def normalized_name(name):
    """A name as compared for duplicates: case and spacing do not count."""
    return " ".join((name or "").split()).casefold()


# an annual rate above 100 % or a cap above 10 times the principal is a typing error
INTEREST_BOUNDS = {"interest_grace_days": (0, 3650), "interest_period_days": (1, 366)}


class CollectionPolicy(models.Model):
    _name = "collection.policy"
    _inherit = ["collection.values.mixin"]
    _collection_bounds = INTEREST_BOUNDS
    _collection_named = True
    _description = "Follow-up Policy"
    _order = "company_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    level_ids = fields.One2many("collection.level", "policy_id", string="Levels", copy=True)
    level_count = fields.Integer(compute="_compute_level_count")
    archived_level_count = fields.Integer(compute="_compute_level_count")
    description = fields.Text(translate=True)
    partner_count = fields.Integer(
        compute="_compute_partner_count", help="Customers that use this policy explicitly."
    )
    interest_rate = fields.Float(
        string="Annual interest rate (%)",
        digits=(16, 4),
        help="Late interest per year, in percent of what each overdue invoice still owes: "
        "simple interest, actual days / 365, from the due date plus the grace days; every "
        "payment lowers the amount that bears interest from the day it is received. "
        "0 charges no interest.",
    )
    interest_grace_days = fields.Integer(
        string="Interest grace days",
        help="Interest runs only from this many days after the due date.",
    )
    interest_cap_percent = fields.Float(
        string="Cap on interest and fees (%)",
        digits=(16, 2),
        help="Interest and fees together never exceed this percentage of the principal "
        "(the overdue invoices they are computed on). 0 means no cap.",
    )
    interest_period_days = fields.Integer(
        string="Interest charged every (days)",
        default=30,
        help="Interest accrued since the last charge is proposed once this many days "
        "have passed since that charge.",
    )

    @api.depends("level_ids")
    def _compute_level_count(self):
        counts = defaultdict(dict)
        groups = (
            self.env["collection.level"]
            .with_context(active_test=False)
            ._read_group([("policy_id", "in", self.ids)], ["policy_id", "active"], ["__count"])
        )
        for policy, active, count in groups:
            counts[policy.id][active] = count
        for policy in self:
            policy.level_count = counts[policy.id].get(True, 0)
            policy.archived_level_count = counts[policy.id].get(False, 0)

    def _compute_partner_count(self):
        counts = {}
        for company, policies in self.grouped("company_id").items():
            partner_model = self.env["res.partner"].with_company(company)
            counts.update(
                partner_model._read_group(
                    [("collection_policy_id", "in", policies.ids)],
                    ["collection_policy_id"],
                    ["__count"],
                )
            )
        for policy in self:
            policy.partner_count = counts.get(policy, 0)

    @api.constrains("interest_rate", "interest_cap_percent")
    def _check_interest(self):
        for policy in self:
            if not 0 <= policy.interest_rate <= 100:
                raise ValidationError(_("The annual interest rate must lie between 0 and 100 %."))
            if not 0 <= policy.interest_cap_percent <= 1000:
                raise ValidationError(
                    _("The cap on interest and fees must lie between 0 and 1000 %.")
                )

    @api.constrains("name", "company_id")
    def _check_unique_name(self):
        policies = self.with_context(active_test=False).search_fetch(
            [("company_id", "in", self.company_id.ids)], ["name", "company_id"]
        )
        per_name = Counter((p.company_id, normalized_name(p.name)) for p in policies)
        for policy in self:
            if per_name[(policy.company_id, normalized_name(policy.name))] > 1:
                raise ValidationError(
                    _(
                        "A follow-up policy named %(name)s already exists in %(company)s "
                        "(names that differ only in case or spacing count as the same, "
                        "archived policies included).",
                        name=policy.name,
                        company=policy.company_id.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_levels_used(self):
        used = self.with_context(active_test=False).level_ids._collection_used()
        if used:
            raise UserError(
                _(
                    "Policy %(policy)s has levels reached by follow-ups, invoices or cases: "
                    "deleting it would lose that history. Please archive it instead.",
                    policy=used[0].policy_id.display_name,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_company_default(self):
        defaults = self.env["res.company"].sudo().search([("collection_policy_id", "in", self.ids)])
        if defaults:
            raise UserError(
                _(
                    "Policy %(policy)s is the default follow-up policy of %(company)s; "
                    "choose another default in the settings before deleting it.",
                    policy=defaults[0].collection_policy_id.display_name,
                    company=defaults[0].display_name,
                )
            )

    def action_view_archived_levels(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Archived levels of %(policy)s", policy=self.name),
            "res_model": "collection.level",
            "view_mode": "list,form",
            "domain": [("policy_id", "=", self.id), ("active", "=", False)],
            "context": {"active_test": False, "default_policy_id": self.id},
        }

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if default and "name" in default:
            return vals_list
        return [
            dict(vals, name=_("%(name)s (copy)", name=policy.name))
            for policy, vals in zip(self, vals_list, strict=True)
        ]

    def _levels_by_delay(self):
        """Levels of this policy, lowest delay first; new levels (typed in the form, not
        saved yet: their ids do not compare) after the saved ones of the same delay."""
        self.ensure_one()
        return self.level_ids.sorted(
            lambda level: (level.delay_days, level._origin.id or float("inf"))
        )

    def _due_level(self, days_overdue, above=None):
        """The highest level whose delay is reached after ``days_overdue`` days and that is
        above ``above`` (a level of this policy, or nothing)."""
        self.ensure_one()
        floor = above.delay_days if above else None
        due = self.env["collection.level"]
        for level in self._levels_by_delay():
            if level.delay_days > days_overdue:
                break
            if floor is None or level.delay_days > floor:
                due = level
        return due
