"""What collectors and legal officers see of a case on their screens: the worklist (which
cases are waiting for a call today), the customer's phone and email, the statement of
account, the days left before the claim is time-barred, and the claimed legal costs
that follow the recorded costs."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from .collection_case_legal import LIMITATION_WARNINGS

LIMITATION_URGENCY = [
    ("later", "More than 90 days"),
    ("90", "Within 90 days"),
    ("30", "Within 30 days"),
    ("7", "Within 7 days"),
    ("expired", "Time-barred"),
]


class CollectionCase(models.Model):
    _inherit = "collection.case"

    invoice_count = fields.Integer(string="Number of invoices")

    partner_phone = fields.Char(related="partner_id.phone", string="Phone")

    partner_mobile = fields.Char(related="partner_id.mobile", string="Mobile")

    partner_email = fields.Char(related="partner_id.email", string="Email")

    worklist_date = fields.Date(
        string="Back on the worklist",
        compute="_compute_worklist_date",
        store=True,
        index=True,
        help="The case waits off the worklist until this day: its next action date, or "
        "the day after an open promise's date plus the grace period.",
    )

    in_worklist = fields.Boolean(
        string="On the worklist",
        compute="_compute_in_worklist",
        search="_search_in_worklist",
        help="Open, not in legal action, and due for action today.",
    )

    limitation_days_left = fields.Integer(
        string="Days to limitation",
        compute="_compute_limitation_urgency",
        help="Days left before the claim becomes time-barred.",
    )

    limitation_urgency = fields.Selection(
        LIMITATION_URGENCY,
        string="Limitation urgency",
        compute="_compute_limitation_urgency",
    )

    legal_claim_costs = fields.Monetary(
        compute="_compute_legal_claim_costs",
        inverse="_inverse_legal_claim_costs",
        store=True,
        readonly=False,
        help="Legal costs claimed from the debtor: the recorded legal costs, unless edited.",
    )

    legal_claim_costs_edited = fields.Boolean(
        string="Claimed costs edited",
        copy=False,
        help="Set when the claimed costs are changed by hand: they no longer follow the "
        "recorded legal costs. Clear it to follow them again.",
    )

    @api.depends("interaction_ids.date", "promise_ids.date")
    def _compute_last_contact(self):
        # a promise to pay is a contact with the customer, whether or not the call
        # that brought it was logged
        for case in self:
            dates = [d.date() for d in case.interaction_ids.mapped("date")]
            dates += case.promise_ids.mapped("date")
            case.last_contact_date = max(dates) if dates else False

    @api.depends(
        "next_action_date",
        "promise_ids.state",
        "promise_ids.date_promised",
        "company_id.collection_promise_grace_days",
    )
    def _compute_worklist_date(self):
        for case in self:
            grace = timedelta(days=case.company_id.collection_promise_grace_days + 1)
            dates = [
                promise.date_promised + grace
                for promise in case.promise_ids
                if promise.state == "open" and promise.date_promised
            ]
            if case.next_action_date:
                dates.append(case.next_action_date)
            case.worklist_date = max(dates) if dates else False

    @api.model
    def _collection_worklist_domain(self):
        """Cases waiting for a collector today: open, not in legal action (they are the
        legal officer's), and not waiting for a next action date or a promise."""
        today = fields.Date.context_today(self)
        return [
            ("is_closed", "=", False),
            ("legal_stage_id", "=", False),
            "|",
            ("worklist_date", "=", False),
            ("worklist_date", "<=", today),
        ]

    @api.depends_context("tz")
    @api.depends("is_closed", "legal_stage_id", "worklist_date")
    def _compute_in_worklist(self):
        today = fields.Date.context_today(self)
        for case in self:
            case.in_worklist = (
                not case.is_closed
                and not case.legal_stage_id
                and (not case.worklist_date or case.worklist_date <= today)
            )

    def _search_in_worklist(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("The worklist can only be searched as on or off."))
        domain = self._collection_worklist_domain()
        if (operator == "=") == value:
            return domain
        return ["!", *expression.normalize_domain(domain)]

    @api.depends_context("tz")
    @api.depends("limitation_date", "is_closed")
    def _compute_limitation_urgency(self):
        today = fields.Date.context_today(self)
        for case in self:
            if not case.limitation_date or case.is_closed:
                case.limitation_days_left = 0
                case.limitation_urgency = False
                continue
            left = (case.limitation_date - today).days
            case.limitation_days_left = left
            case.limitation_urgency = self._collection_limitation_urgency(left)

    @api.model
    def _collection_limitation_urgency(self, days_left):
        """The colour band of the days left: the thresholds of the limitation warnings."""
        if days_left < 0:
            return "expired"
        thresholds = [t for t in sorted(LIMITATION_WARNINGS) if days_left <= t]
        return str(thresholds[0]) if thresholds else "later"

    @api.depends("legal_cost_total", "legal_claim_costs_edited")
    def _compute_legal_claim_costs(self):
        for case in self.filtered(lambda c: not c.legal_claim_costs_edited):
            case.legal_claim_costs = case.legal_cost_total

    def _inverse_legal_claim_costs(self):
        # a form sends the followed amount back with the costs: only a different amount
        # is an edit, and setting the recorded costs again follows them again
        for case in self:
            edited = bool(
                case.currency_id.compare_amounts(case.legal_claim_costs, case.legal_cost_total)
            )
            if case.legal_claim_costs_edited != edited:
                case.legal_claim_costs_edited = edited

    def action_print_statement(self):
        """The customer's statement of account, from the case."""
        self.ensure_one()
        report = self.env.ref("collection_management.action_report_collection_statement")
        return report.with_company(self.company_id).report_action(self.partner_id)
