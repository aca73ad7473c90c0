import json
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# collection fields are internal: portal and public users never read them
INTERNAL = "base.group_user"
MANAGER = "collection_management.group_collection_manager"
# who may put a customer on credit hold by hand (the follow-up run does it for a level)
HOLDERS = (
    MANAGER,
    "collection_management.group_collection_collector",
    "account.group_account_invoice",
)
RISKS = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]
# the risk factors are stored as codes with their figure and rendered in the reader's
# language: the daily job that rates customers runs in English
RISK_FACTORS = {
    "late": _lt("pays %(value)s days late on average"),
    "overdue_share": _lt("%(value)s%% of the open amount is overdue"),
    "broken": _lt("%(value)s broken promise(s) this year"),
    "oldest": _lt("oldest unpaid invoice %(value)s days overdue"),
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Follow-up policy",
        company_dependent=True,
        domain="[('company_id', 'in', (False, current_company_id))]",
        help="Overrides the company's default follow-up policy for this customer.",
        groups=INTERNAL,
    )
    collector_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        domain="[('share', '=', False)]",
        help="Collector in charge of this customer in the current company.",
        groups=INTERNAL,
    )

    collection_credit_hold = fields.Boolean(
        string="Credit hold",
        tracking=True,
        help="On hold: no new deliveries or invoices on credit until the debt is settled.",
        groups=INTERNAL,
    )
    collection_followup_ids = fields.One2many("collection.followup", "partner_id", groups=INTERNAL)
    collection_followup_count = fields.Integer(
        compute="_compute_collection_status", groups=INTERNAL
    )
    collection_amount_overdue = fields.Monetary(
        string="Overdue amount",
        compute="_compute_collection_status",
        currency_field="collection_currency_id",
        groups=INTERNAL,
    )
    collection_currency_id = fields.Many2one(
        "res.currency", compute="_compute_collection_status", groups=INTERNAL
    )
    collection_level_id = fields.Many2one(
        "collection.level",
        string="Current follow-up level",
        compute="_compute_collection_status",
        groups=INTERNAL,
    )
    collection_last_date = fields.Date(
        string="Last follow-up",
        compute="_compute_collection_status",
        groups=INTERNAL,
    )
    collection_disputed_count = fields.Integer(
        string="Disputed invoices",
        compute="_compute_collection_status",
        groups=INTERNAL,
    )
    collection_next_action_date = fields.Date(
        string="Next collection action",
        compute="_compute_collection_status",
        help="Deadline of the next activity planned on this customer.",
        groups=INTERNAL,
    )

    collection_case_ids = fields.One2many(
        "collection.case",
        "partner_id",
        string="Cases",
        groups="collection_management.group_collection_collector",
    )
    collection_case_count = fields.Integer(
        string="Open cases",
        compute="_compute_collection_case_count",
        groups="collection_management.group_collection_collector",
    )
    collection_interaction_ids = fields.One2many(
        "collection.interaction",
        "partner_id",
        string="Contact log",
        groups="collection_management.group_collection_collector",
    )
    collection_risk = fields.Selection(
        RISKS,
        string="Risk rating",
        default="low",
        index=True,
        help="From payment behaviour: average days late, overdue share, broken promises "
        "and age of the oldest unpaid invoice. Recomputed daily.",
        groups=INTERNAL,
    )
    collection_risk_factors = fields.Json(
        readonly=True,
        groups=INTERNAL,
        help="What rated the customer: [code, figure] pairs of the daily rating.",
    )
    collection_risk_reasons = fields.Text(
        string="Risk factors", compute="_compute_collection_risk_reasons", groups=INTERNAL
    )

    @api.depends("collection_risk_factors")
    @api.depends_context("lang")
    def _compute_collection_risk_reasons(self):
        for partner in self:
            partner.collection_risk_reasons = partner._collection_risk_text(
                partner.collection_risk_factors
            )

    def _collection_risk_text(self, factors):
        """The risk factors ([code, figure] pairs) as lines in the reader's language."""
        return (
            "\n".join(
                self.env._(RISK_FACTORS[code]) % {"value": value}
                for code, value in factors or ()
                if code in RISK_FACTORS
            )
            or False
        )

    def _collection_reader_lang(self, company=None):
        """The language the process writes the customer's internal chatter in: that of
        the customer's collector in ``company``, else the company's."""
        self.ensure_one()
        company = company or self.env.company
        collector = self.sudo().with_company(company).collector_id
        return collector.lang or company.partner_id.lang or self.env.lang or "en_US"

    def _compute_collection_case_count(self):
        counts = dict(
            self.env["collection.case"]._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("is_closed", "=", False),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.collection_case_count = counts.get(partner.commercial_partner_id, 0)

    def _compute_collection_status(self):
        company = self.env.company
        # a partner in a form being edited (onchange) is counted as saved
        partners = self.commercial_partner_id._origin
        overdue, followups, levels, disputed, next_actions = self._collection_status_figures(
            partners, company
        )
        for partner in self:
            commercial = partner.commercial_partner_id._origin
            partner.collection_disputed_count = disputed.get(commercial, 0)
            partner.collection_next_action_date = next_actions.get(commercial.id, False)
            count, last_date = followups.get(commercial, (0, False))
            partner.collection_followup_count = count
            partner.collection_last_date = last_date
            partner.collection_amount_overdue = overdue.get(commercial, 0.0)
            partner.collection_currency_id = company.currency_id
            reached = levels.get(commercial)
            partner.collection_level_id = reached.sorted("delay_days")[-1:] if reached else False

    @api.model
    def _collection_status_figures(self, partners, company):
        """Grouped reads behind the collection status of ``partners`` in ``company``:
        overdue, follow-ups (count, last date), levels reached, disputed invoices and
        next activity, each a dict by partner (the last by partner id)."""
        today = fields.Date.context_today(self)
        moves = self.env["account.move"]
        open_invoices = [
            ("company_id", "=", company.id),
            ("commercial_partner_id", "in", partners.ids),
            *moves._collection_open_invoice_domain(),
        ]

        def by_partner(extra, aggregate):
            return dict(
                moves._read_group([*open_invoices, extra], ["commercial_partner_id"], [aggregate])
            )

        followups = {
            partner: (count, last_date)
            for partner, count, last_date in self.env["collection.followup"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    ("state", "!=", "cancel"),
                ],
                ["partner_id"],
                ["__count", "date:max"],
            )
        }
        next_actions = dict(
            self.env["mail.activity"]._read_group(
                [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)],
                ["res_id"],
                ["date_deadline:min"],
            )
        )
        return (
            by_partner(("invoice_date_due", "<", today), "amount_residual_signed:sum"),
            followups,
            by_partner(("collection_level_id", "!=", False), "collection_level_id:recordset"),
            by_partner(("collection_dispute_reason_id", "!=", False), "__count"),
            next_actions,
        )

    def _collection_policy(self, company):
        """The follow-up policy that applies to this (commercial) partner in ``company``."""
        self.ensure_one()
        partner = self.with_company(company)
        return partner.collection_policy_id or company.collection_policy_id

    def action_collection_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collection_management.collection_followup_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_collection_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collection_management.collection_case_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "active_test": False,
        }
        return action

    def write(self, vals):
        if "collection_credit_hold" in vals:
            self._collection_check_hold_write(vals["collection_credit_hold"])
        return super().write(vals)

    def _collection_check_hold_write(self, hold):
        """Releasing a credit hold resumes supply: collection managers only. Putting a
        customer on hold is for the users who follow its payments."""
        if self.env.su or self.env.user.has_group(MANAGER):
            return
        if not hold:
            if self.filtered("collection_credit_hold"):
                raise AccessError(_("Only a collection manager can release a credit hold."))
        elif not any(self.env.user.has_group(group) for group in HOLDERS):
            raise AccessError(
                _(
                    "Only collectors, accountants and collection managers can put a "
                    "customer on credit hold."
                )
            )

    def action_collection_release_hold(self):
        """A collection manager resumes supply to the customer; the release is tracked
        on the customer's chatter with the manager's name, also when the manager may not
        edit contacts otherwise."""
        if not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only a collection manager can release a credit hold."))
        self.check_access("read")
        self.sudo().write({"collection_credit_hold": False})
        return True

    def _collection_statement_moves(self, company):
        """Open customer invoices and credit notes of this customer in ``company``, by
        due date."""
        self.ensure_one()
        return self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            order="invoice_date_due, id",
        )

    def _collection_statement_lines(self, company):
        """Open customer invoices and credit notes of this customer in ``company``."""
        self.ensure_one()
        moves = self._collection_statement_moves(company)
        overdue = moves.filtered(lambda m: m.collection_days_overdue > 0)
        return {
            "moves": moves,
            "total": sum(moves.mapped("amount_residual_signed")),
            "overdue": sum(overdue.mapped("amount_residual_signed")),
        }

    # ------------------------------------------------------------------ risk
    @api.model
    def _collection_risk_figures(self, today):
        """Payment behaviour of every customer with open or recent invoices, from one
        query: {partner id: (average days late, overdue, open, oldest due date)}."""
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model(["move_id"])
        self.env["account.partial.reconcile"].flush_model()
        since = today - timedelta(days=365)
        self.env.cr.execute(
            SQL(
                """WITH inv AS (
                       SELECT m.id, m.commercial_partner_id AS partner,
                              m.invoice_date_due AS due, m.amount_residual_signed AS residual,
                              m.payment_state
                         FROM account_move m
                        WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
                          AND m.invoice_date_due IS NOT NULL
                          AND (m.payment_state IN ('not_paid', 'partial')
                               OR m.invoice_date_due >= %(since)s)
                   ), paid AS (
                       SELECT dl.move_id, MAX(apr.max_date) AS paid_on
                         FROM account_partial_reconcile apr
                         JOIN account_move_line dl ON dl.id = apr.debit_move_id
                        WHERE dl.move_id IN (SELECT id FROM inv)
                     GROUP BY dl.move_id
                   )
                   SELECT inv.partner,
                          AVG(GREATEST(paid.paid_on - inv.due, 0)) FILTER (
                              WHERE inv.payment_state IN ('paid', 'in_payment')),
                          SUM(inv.residual) FILTER (
                              WHERE inv.payment_state IN ('not_paid', 'partial')
                                AND inv.due < %(today)s),
                          SUM(inv.residual) FILTER (
                              WHERE inv.payment_state IN ('not_paid', 'partial')),
                          MIN(inv.due) FILTER (
                              WHERE inv.payment_state IN ('not_paid', 'partial'))
                     FROM inv LEFT JOIN paid ON paid.move_id = inv.id
                 GROUP BY inv.partner""",
                since=since,
                today=today,
            )
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    @api.model
    def _collection_rate(self, avg_late, overdue, open_amount, oldest, broken, today):
        """Risk rating and its factors ([code, figure] pairs, see RISK_FACTORS) from the
        payment figures of one customer."""
        points, reasons = 0, []
        avg_late = float(avg_late or 0)
        if avg_late > 10:
            points += 3 if avg_late > 60 else 2 if avg_late > 30 else 1
            reasons.append(["late", round(avg_late)])
        share = (overdue or 0) / open_amount if open_amount and open_amount > 0 else 0
        if share > 0.4:
            points += 2 if share > 0.75 else 1
            reasons.append(["overdue_share", round(share * 100)])
        if broken:
            points += 2 if broken > 1 else 1
            reasons.append(["broken", broken])
        age = (today - oldest).days if oldest and overdue else 0
        if age > 90:
            points += 2 if age > 180 else 1
            reasons.append(["oldest", age])
        risk = (
            "critical"
            if points >= 6
            else "high"
            if points >= 4
            else "medium"
            if points >= 2
            else "low"
        )
        return risk, reasons

    @api.model
    def _cron_collection_risk(self):
        """Rate every customer from its payment behaviour; one query to read, one to
        write."""
        today = fields.Date.context_today(self)
        figures = self._collection_risk_figures(today)
        broken = {
            partner.id: count
            for partner, count in self.env["collection.promise"]._read_group(
                [
                    ("state", "in", ("broken", "partial")),
                    ("date_evaluated", ">=", today - timedelta(days=365)),
                ],
                ["partner_id"],
                ["__count"],
            )
        }
        rows = []
        for partner_id in set(figures) | set(broken):
            avg_late, overdue, open_amount, oldest = figures.get(partner_id, (0, 0, 0, None))
            risk, reasons = self._collection_rate(
                avg_late, overdue, open_amount, oldest, broken.get(partner_id, 0), today
            )
            factors = json.dumps(reasons) if reasons else None
            rows.append(SQL("(%s, %s, %s::jsonb)", partner_id, risk, factors))
        self.flush_model(["collection_risk", "collection_risk_factors"])
        rated = list(set(figures) | set(broken))
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner SET collection_risk = 'low', collection_risk_factors = NULL
                    WHERE collection_risk != 'low' AND NOT (id = ANY(%s))
                RETURNING id""",
                rated,
            )
        )
        # customers whose risk went back to low: their cases' scores change too
        lowered = [row[0] for row in self.env.cr.fetchall()]
        if rows:
            self.env.cr.execute(
                SQL(
                    """UPDATE res_partner p
                          SET collection_risk = v.risk, collection_risk_factors = v.factors
                         FROM (VALUES %s) AS v(id, risk, factors)
                        WHERE p.id = v.id
                          AND (p.collection_risk IS DISTINCT FROM v.risk
                               OR p.collection_risk_factors IS DISTINCT FROM v.factors)""",
                    SQL(", ").join(rows),
                )
            )
        self.invalidate_model(["collection_risk", "collection_risk_factors"])
        # the case score depends on the risk
        cases = self.env["collection.case"].search(
            [("is_closed", "=", False), ("partner_id", "in", rated + lowered)]
        )
        self.env.add_to_compute(self.env["collection.case"]._fields["priority_score"], cases)
        cases.flush_recordset()
