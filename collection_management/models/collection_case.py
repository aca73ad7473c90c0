import math
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .collection_values import check_numbers

RISK_POINTS = {"low": 0, "medium": 5, "high": 10, "critical": 15}
LIMITATION_WARNINGS = (90, 30, 7)
LEGAL_REQUEST_FIELDS = {"legal_request_user_id", "legal_request_date", "legal_request_note"}
LEGAL_AMOUNT_FIELDS = (
    "legal_claim_principal",
    "legal_claim_interest",
    "legal_claim_fees",
    "legal_claim_costs",
    "legal_judgment_amount",
)
CASE_PROCESS_FIELDS = {
    "name",
    "partner_id",
    "company_id",
    "level_id",
    "invoice_ids",
    "followup_ids",
    "date_open",
    "date_closed",
    "close_reason",
    "close_note",
    "legal_date",
    *LEGAL_REQUEST_FIELDS,
}


class CollectionCase(models.Model):
    _name = "collection.case"
    _description = "Collection Case"
    _inherit = ["mail.thread", "mail.activity.mixin", "mail.tracking.duration.mixin"]
    _order = "priority_score desc, id desc"
    _check_company_auto = True
    _track_duration_field = "stage_id"

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: _("New"),
        index="trigram",
    )
    active = fields.Boolean(default=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('parent_id', '=', False)]",
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id", store=True)
    collector_id = fields.Many2one(
        "res.users",
        index=True,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    stage_id = fields.Many2one(
        "collection.stage",
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_stage_ids",
        default=lambda self: self.env["collection.stage"]._collection_stage("new"),
    )
    stage_kind = fields.Selection(related="stage_id.kind")
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, index=True)
    level_id = fields.Many2one(
        "collection.level",
        string="Follow-up level",
        check_company=True,
        tracking=True,
        help="Highest follow-up level reached by the customer during this case.",
    )
    invoice_ids = fields.One2many(
        "account.move", "collection_case_id", string="Invoices", readonly=True
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    followup_ids = fields.One2many("collection.followup", "case_id", readonly=True)
    interaction_ids = fields.One2many("collection.interaction", "case_id", string="Contacts")
    promise_ids = fields.One2many("collection.promise", "case_id", string="Promises")

    amount_assigned = fields.Monetary(
        compute="_compute_amounts",
        store=True,
        tracking=True,
        aggregator="sum",
        help="Amount due of each invoice when it joined the case.",
    )
    amount_due = fields.Monetary(
        compute="_compute_amounts",
        store=True,
        tracking=True,
        aggregator="sum",
        help="What the case's invoices still owe, in company currency.",
    )
    amount_credited = fields.Monetary(
        string="Credited",
        compute="_compute_amounts",
        store=True,
        aggregator="sum",
        help="Part of the assigned amount cleared by credit notes rather than paid.",
    )
    amount_recovered = fields.Monetary(
        string="Recovered",
        compute="_compute_amounts",
        store=True,
        tracking=True,
        aggregator="sum",
        help="Money collected on the case's invoices since they joined it.",
    )
    recovery_rate = fields.Float(
        compute="_compute_amounts",
        store=True,
        aggregator="avg",
        help="Recovered amount as a percentage of the assigned amount.",
    )
    oldest_due_date = fields.Date(compute="_compute_amounts", store=True)
    days_overdue = fields.Integer(
        compute="_compute_days_overdue",
        store=True,
        aggregator="max",
        help="Days since the oldest unpaid due date (refreshed daily).",
    )
    disputed_count = fields.Integer(
        string="Disputed invoices", compute="_compute_amounts", store=True
    )

    priority = fields.Selection(
        [("0", "Normal"), ("1", "High"), ("2", "Very high"), ("3", "Urgent")],
        default="0",
        tracking=True,
    )
    priority_score = fields.Float(
        string="Score",
        compute="_compute_priority_score",
        store=True,
        aggregator="max",
        help="Rank in the worklist: the higher, the sooner to work.",
    )
    priority_reasons = fields.Text(
        string="Why this rank", compute="_compute_priority_score", store=True
    )
    next_action_date = fields.Date(index=True, tracking=True)
    last_contact_date = fields.Date(compute="_compute_last_contact", store=True)
    partner_risk = fields.Selection(related="partner_id.collection_risk", string="Risk")
    promise_open_count = fields.Integer(
        string="Open promises", compute="_compute_promise_counts", store=True
    )
    promise_broken_count = fields.Integer(
        string="Broken promises", compute="_compute_promise_counts", store=True
    )

    date_open = fields.Date(
        string="Opened on", default=fields.Date.context_today, required=True, copy=False
    )
    date_closed = fields.Date(string="Closed on", readonly=True, copy=False)
    close_reason = fields.Selection(
        [
            ("paid", "Paid"),
            ("settled", "Settled"),
            ("written_off", "Written off"),
            ("returned", "Returned to sales"),
        ],
        readonly=True,
        copy=False,
        tracking=True,
    )
    close_note = fields.Text(readonly=True, copy=False)
    color = fields.Integer()

    # ------------------------------------------------------------------ legal
    legal_stage_id = fields.Many2one(
        "collection.legal.stage",
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_legal_stage_ids",
        help="Set when the case is escalated to legal action: no automated reminder goes "
        "to the customer from then on.",
    )
    legal_user_id = fields.Many2one(
        "res.users",
        string="Legal officer",
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    legal_request_user_id = fields.Many2one(
        "res.users", string="Escalation requested by", readonly=True, copy=False
    )
    legal_request_date = fields.Date(string="Escalation requested on", readonly=True, copy=False)
    legal_request_note = fields.Text(string="Reason for escalation", readonly=True, copy=False)
    legal_date = fields.Date(string="Escalated on", readonly=True, copy=False, tracking=True)
    legal_lawyer_id = fields.Many2one(
        "res.partner", string="Lawyer or law firm", tracking=True, check_company=True
    )
    legal_court_id = fields.Many2one(
        "res.partner", string="Court", tracking=True, check_company=True
    )
    legal_docket = fields.Char(string="Docket number", tracking=True)
    legal_claim_principal = fields.Monetary(string="Claimed principal", tracking=True)
    legal_claim_interest = fields.Monetary(string="Claimed interest")
    legal_claim_fees = fields.Monetary(string="Claimed fees", help="Late fees, penalties.")
    legal_claim_costs = fields.Monetary(
        string="Claimed costs", help="Legal costs claimed from the debtor."
    )
    legal_claim_amount = fields.Monetary(
        string="Claim amount", compute="_compute_legal_claim_amount", store=True, tracking=True
    )
    legal_filing_date = fields.Date(string="Filed on", tracking=True)
    legal_hearing_date = fields.Date(string="Hearing on", tracking=True)
    legal_judgment_date = fields.Date(string="Judgment on", tracking=True)
    legal_enforcement_date = fields.Date(string="Enforcement requested on", tracking=True)
    legal_judgment_amount = fields.Monetary(string="Judgment amount", tracking=True)
    legal_outcome = fields.Selection(
        [
            ("won", "Won"),
            ("partly_won", "Partly won"),
            ("lost", "Lost"),
            ("settled", "Settled"),
            ("withdrawn", "Withdrawn"),
        ],
        tracking=True,
    )
    legal_cost_ids = fields.One2many("collection.legal.cost", "case_id", string="Legal costs")
    legal_cost_total = fields.Monetary(
        string="Legal costs", compute="_compute_legal_cost_total", store=True, aggregator="sum"
    )
    amount_recovered_net = fields.Monetary(
        string="Recovered net of costs",
        compute="_compute_legal_cost_total",
        store=True,
        aggregator="sum",
    )
    last_payment_date = fields.Date(compute="_compute_amounts", store=True)
    last_demand_date = fields.Date(
        readonly=True,
        copy=False,
        tracking=True,
        help="Last written demand to the debtor (demand letter, lawyer's letter, lawsuit).",
    )
    last_acknowledgement_date = fields.Date(
        readonly=True,
        copy=False,
        tracking=True,
        help="Last written acknowledgement of the debt by the debtor.",
    )
    limitation_date = fields.Date(
        string="Limitation deadline",
        compute="_compute_limitation_date",
        store=True,
        index=True,
        tracking=True,
        help="Last day to sue: the company's limitation period from the oldest unpaid due "
        "date, restarted by a demand, an acknowledgement or a partial payment.",
    )

    _sql_constraints = [
        (
            "name_company_unique",
            "unique(name, company_id)",
            "A case reference is unique within a company.",
        ),
    ]

    # ------------------------------------------------------------------ computes
    @api.model
    def _read_group_stage_ids(self, stages, domain):
        # every stage shows in the pipeline, even empty (a handful of records)
        return stages.search([("id", "!=", False)])

    def _compute_invoice_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [("collection_case_id", "in", self.ids)], ["collection_case_id"], ["__count"]
            )
        )
        for case in self:
            case.invoice_count = counts.get(case, 0)

    @api.depends(
        "invoice_ids.collection_case_assigned",
        "invoice_ids.amount_residual_signed",
        "invoice_ids.invoice_date_due",
        "invoice_ids.collection_dispute_reason_id",
    )
    def _compute_amounts(self):
        credited, paid_on = self._collection_settlements()
        for case in self:
            invoices = case.invoice_ids
            open_invoices = invoices.filtered(
                lambda m: not m.currency_id.is_zero(m.amount_residual)
            )
            case.amount_assigned = sum(invoices.mapped("collection_case_assigned"))
            case.amount_due = sum(open_invoices.mapped("amount_residual_signed"))
            case.amount_credited = min(
                credited.get(case.id, 0.0), max(case.amount_assigned - case.amount_due, 0.0)
            )
            case.amount_recovered = max(
                case.amount_assigned - case.amount_due - case.amount_credited, 0.0
            )
            case.recovery_rate = (
                100.0 * case.amount_recovered / case.amount_assigned
                if case.amount_assigned
                else 0.0
            )
            dates = [d for d in open_invoices.mapped("invoice_date_due") if d]
            case.oldest_due_date = min(dates) if dates else False
            case.last_payment_date = paid_on.get(case.id)
            case.disputed_count = len(
                open_invoices.filtered(lambda m: m.collection_dispute_reason_id)
            )

    def _collection_settlements(self):
        """Per case id: what credit notes cleared on its invoices (company currency), and
        the date of the last payment on them."""
        cases = self.filtered("id")
        if not cases:
            return {}, {}
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model(["move_id"])
        self.env["account.move"].flush_model(["collection_case_id", "move_type"])
        self.env.cr.execute(
            SQL(
                """SELECT inv.collection_case_id,
                          SUM(apr.amount) FILTER (WHERE cm.move_type = 'out_refund'),
                          MAX(apr.max_date) FILTER (WHERE cm.move_type != 'out_refund')
                     FROM account_partial_reconcile apr
                     JOIN account_move_line dl ON dl.id = apr.debit_move_id
                     JOIN account_move inv ON inv.id = dl.move_id
                     JOIN account_move_line cl ON cl.id = apr.credit_move_id
                     JOIN account_move cm ON cm.id = cl.move_id
                    WHERE inv.collection_case_id = ANY(%s)
                 GROUP BY inv.collection_case_id""",
                cases.ids,
            )
        )
        rows = self.env.cr.fetchall()
        return (
            {case_id: credited or 0.0 for case_id, credited, _paid in rows},
            {case_id: paid for case_id, _credited, paid in rows if paid},
        )

    @api.model
    def _read_group_legal_stage_ids(self, stages, domain):
        return stages.search([("id", "!=", False)])

    @api.depends(
        "legal_claim_principal", "legal_claim_interest", "legal_claim_fees", "legal_claim_costs"
    )
    def _compute_legal_claim_amount(self):
        for case in self:
            case.legal_claim_amount = (
                case.legal_claim_principal
                + case.legal_claim_interest
                + case.legal_claim_fees
                + case.legal_claim_costs
            )

    @api.depends("legal_cost_ids.amount_company", "amount_recovered")
    def _compute_legal_cost_total(self):
        for case in self:
            case.legal_cost_total = sum(case.legal_cost_ids.mapped("amount_company"))
            case.amount_recovered_net = case.amount_recovered - case.legal_cost_total

    @api.depends(
        "oldest_due_date",
        "last_payment_date",
        "last_demand_date",
        "last_acknowledgement_date",
        "company_id.collection_limitation_years",
    )
    def _compute_limitation_date(self):
        for case in self:
            if not case.oldest_due_date:
                case.limitation_date = False
                continue
            start = max(
                d
                for d in (
                    case.oldest_due_date,
                    case.last_payment_date,
                    case.last_demand_date,
                    case.last_acknowledgement_date,
                )
                if d
            )
            years = case.company_id.collection_limitation_years or 3
            case.limitation_date = start + relativedelta(years=years)

    @api.depends("oldest_due_date", "is_closed")
    def _compute_days_overdue(self):
        today = fields.Date.context_today(self)
        for case in self:
            if case.is_closed or not case.oldest_due_date:
                case.days_overdue = 0
            else:
                case.days_overdue = max((today - case.oldest_due_date).days, 0)

    @api.depends("interaction_ids.date")
    def _compute_last_contact(self):
        for case in self:
            dates = case.interaction_ids.mapped("date")
            case.last_contact_date = max(dates).date() if dates else False

    @api.depends("promise_ids.state")
    def _compute_promise_counts(self):
        for case in self:
            states = case.promise_ids.mapped("state")
            case.promise_open_count = states.count("open")
            case.promise_broken_count = states.count("broken") + states.count("partial")

    @api.depends(
        "amount_due",
        "days_overdue",
        "promise_broken_count",
        "disputed_count",
        "partner_id.collection_risk",
        "last_contact_date",
        "priority",
        "is_closed",
        "limitation_date",
    )
    def _compute_priority_score(self):
        today = fields.Date.context_today(self)
        for case in self:
            if case.is_closed:
                case.priority_score = 0.0
                case.priority_reasons = False
                continue
            parts = case._collection_score_parts(today)
            case.priority_score = round(sum(points for points, _label in parts), 1)
            case.priority_reasons = "\n".join(
                f"+{points:g} {label}" for points, label in parts if points
            )

    def _collection_score_parts(self, today):
        """(points, reason) pairs that make the score of this case."""
        self.ensure_one()
        amount = max(self.amount_due, 0.0)
        parts = [
            (
                round(min(30.0, 6 * math.log10(amount + 1)), 1),
                _("amount due %(amount)s", amount=self.currency_id.format(amount)),
            ),
            (
                round(min(30.0, self.days_overdue / 6), 1),
                _("%(days)s days overdue", days=self.days_overdue),
            ),
            (
                min(20, 10 * self.promise_broken_count),
                _("%(count)s broken promise(s)", count=self.promise_broken_count),
            ),
            (
                min(10, 5 * self.disputed_count),
                _("%(count)s disputed invoice(s) to resolve", count=self.disputed_count),
            ),
            (
                RISK_POINTS.get(self.partner_id.collection_risk or "low", 0),
                _(
                    "customer risk %(risk)s",
                    risk=dict(
                        self.env["res.partner"]
                        ._fields["collection_risk"]
                        ._description_selection(self.env)
                    ).get(self.partner_id.collection_risk or "low"),
                ),
            ),
        ]
        if self.last_contact_date:
            silent = (today - self.last_contact_date).days
            parts.append(
                (
                    round(min(10.0, max(silent, 0) / 3), 1),
                    _("no contact for %(days)s days", days=silent),
                )
            )
        else:
            parts.append((10, _("never contacted")))
        if self.priority != "0":
            parts.append((5 * int(self.priority), _("priority raised")))
        if self.limitation_date and (self.limitation_date - today).days <= 90:
            parts.append(
                (
                    20,
                    _(
                        "limitation period ends on %(date)s",
                        date=fields.Date.to_string(self.limitation_date),
                    ),
                )
            )
        return parts

    @api.constrains(*LEGAL_AMOUNT_FIELDS)
    def _check_legal_amounts(self):
        for case in self:
            for name in LEGAL_AMOUNT_FIELDS:
                amount = case[name]
                if not math.isfinite(amount) or amount < 0:
                    raise ValidationError(
                        _(
                            "%(field)s of %(case)s must be a positive amount or zero.",
                            field=self._fields[name]._description_string(self.env),
                            case=case.name,
                        )
                    )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        check_numbers(self, vals_list)
        if not self.env.su:
            for vals in vals_list:
                self._collection_check_user_create(vals)
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "collection.case", sequence_date=vals.get("date_open")
                ) or _("New")
        cases = super().create(vals_list)
        cases._collection_check_single_open()
        return cases

    def write(self, vals):
        check_numbers(self, [vals])
        self._collection_check_user_write(vals)
        self._collection_check_legal_write(vals)
        if vals.get("legal_stage_id"):
            stage = self.env["collection.legal.stage"].browse(vals["legal_stage_id"])
            if stage.is_demand and "last_demand_date" not in vals:
                vals = {**vals, "last_demand_date": fields.Date.context_today(self)}
        res = super().write(vals)
        if "partner_id" in vals or "company_id" in vals or "stage_id" in vals:
            self._collection_check_single_open()
        return res

    @api.model
    def _collection_legal_fields(self):
        return {
            name
            for name in self._fields
            if name.startswith("legal_") and name not in LEGAL_REQUEST_FIELDS
        } | {"last_demand_date", "last_acknowledgement_date"}

    @api.model
    def _collection_check_user_create(self, vals):
        """A case made by hand starts open, for its customer and company, unassigned or
        for the collector who makes it (managers assign anyone)."""
        self._collection_refuse_process_fields(set(vals) - {"partner_id", "company_id"})
        if vals.get("stage_id"):
            self.browse()._collection_check_stage_write(vals["stage_id"])
        if vals.get("collector_id"):
            self.browse()._collection_check_collector_write(vals["collector_id"])

    @api.model
    def _collection_process_fields(self):
        """Fields that only the collection process writes: the amounts and dates it
        computes, the customer and company of the case, how and when it closed, and who
        asked for legal action. Users change them through the actions that check rights."""
        computed = {
            name
            for name, field in self._fields.items()
            if field.store and field.compute and not field.inverse
        }
        return computed | CASE_PROCESS_FIELDS

    def _collection_check_user_write(self, vals):
        """Rights live where the data changes: a plain write (form, kanban drag, RPC)
        cannot close, reopen or escalate a case, move its invoices to another customer,
        or overwrite what the process computes."""
        if self.env.su:
            return
        self._collection_refuse_process_fields(set(vals))
        if "stage_id" in vals:
            self._collection_check_stage_write(vals["stage_id"])
        if "collector_id" in vals:
            self._collection_check_collector_write(vals["collector_id"])
        if "active" in vals and not self._collection_is_manager():
            raise UserError(_("Only a collection manager can archive or restore a case."))

    def _collection_refuse_process_fields(self, names):
        forbidden = names & self._collection_process_fields()
        if forbidden:
            labels = sorted(self._fields[name]._description_string(self.env) for name in forbidden)
            raise UserError(
                _(
                    "These fields of a collection case are set by the collection process, "
                    "not by hand: %(fields)s.",
                    fields=", ".join(labels),
                )
            )

    def _collection_check_stage_write(self, stage_id):
        stage = self.env["collection.stage"].browse(stage_id)
        if stage.is_closed or stage.kind in ("closed", "returned"):
            raise UserError(
                _(
                    "A case is closed with the action Close, which records why; it cannot "
                    "be moved to the stage %(stage)s by hand.",
                    stage=stage.name,
                )
            )
        if stage.kind == "legal":
            raise UserError(
                _("A case goes to legal action through escalation, not by moving its stage.")
            )
        if self.filtered("is_closed"):
            raise UserError(_("A closed case is reopened with the action Reopen (managers)."))
        if self.filtered("legal_stage_id"):
            raise UserError(
                _("A case in legal action follows its legal stages; its stage cannot be moved.")
            )

    def _collection_check_collector_write(self, user_id):
        """Managers assign cases; a collector only takes an unassigned case for themself."""
        if self._collection_is_manager():
            return
        if user_id != self.env.uid or self.filtered("collector_id"):
            raise UserError(
                _(
                    "Only a collection manager assigns cases; a collector can take an "
                    "unassigned case for themself."
                )
            )

    def _collection_check_legal_write(self, vals):
        """Only legal officers and managers write the legal fields."""
        if self.env.su or not (set(vals) & self._collection_legal_fields()):
            return
        if not self.env.user.has_group("collection_management.group_collection_legal"):
            raise UserError(_("Only a legal officer or a manager can change the legal details."))

    def _collection_check_single_open(self):
        open_cases = self.filtered(lambda c: not c.is_closed and c.active)
        if not open_cases:
            return
        groups = self._read_group(
            [
                ("partner_id", "in", open_cases.partner_id.ids),
                ("company_id", "in", open_cases.company_id.ids),
                ("is_closed", "=", False),
            ],
            ["partner_id", "company_id"],
            ["__count"],
        )
        for partner, company, count in groups:
            if count > 1:
                raise ValidationError(
                    _(
                        "%(partner)s already has an open collection case in %(company)s.",
                        partner=partner.display_name,
                        company=company.name,
                    )
                )

    # ------------------------------------------------------------------ actions
    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("collection_case_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_log_contact(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Log a contact"),
            "res_model": "collection.interaction",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_case_id": self.id,
                "default_channel": self.env.context.get("collection_channel", "call"),
            },
        }

    def action_new_promise(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Promise to pay"),
            "res_model": "collection.promise",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    def action_close(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Close cases"),
            "res_model": "collection.case.close",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_reopen(self):
        if not self.env.user.has_group("collection_management.group_collection_manager"):
            raise UserError(_("Only a collection manager can reopen a case."))
        stage = self.env["collection.stage"]._collection_stage("progress")
        self.sudo().write(
            {"stage_id": stage.id, "close_reason": False, "close_note": False, "date_closed": False}
        )
        return True

    def action_evaluate_promises(self):
        self.promise_ids.filtered(lambda p: p.state == "open")._collection_evaluate()
        return True

    # ------------------------------------------------------------------ business
    def _collection_move_to(self, kind, only_from=None):
        """Move the cases to the first stage of ``kind``; with ``only_from``, only the
        cases whose stage kind is one of those."""
        stage = self.env["collection.stage"]._collection_stage(kind)
        if not stage:
            return self.browse()
        cases = self.filtered(lambda c: c.stage_id != stage and not c.is_closed)
        if only_from is not None:
            cases = cases.filtered(lambda c: c.stage_id.kind in only_from or not c.stage_id)
        if cases:
            # the automatic moves of the process, whoever triggered them
            cases.sudo().write({"stage_id": stage.id})
        return cases

    def _collection_close(self, reason, note=False, date=None):
        kind = "returned" if reason == "returned" else "closed"
        stage = self.env["collection.stage"]._collection_stage(kind)
        if not stage:
            raise UserError(_("No stage closes cases: add one in the configuration."))
        date = date or fields.Date.context_today(self)
        self.sudo().write(
            {
                "stage_id": stage.id,
                "close_reason": reason,
                "close_note": note,
                "date_closed": date,
                "next_action_date": False,
            }
        )
        self.promise_ids.filtered(lambda p: p.state == "open").sudo().write({"state": "cancel"})
        self.activity_ids.action_feedback(feedback=_("Case closed."))

    @api.model
    def _collection_thresholds(self, company, date):
        """Overdue customers of ``company`` on ``date``: commercial partner → (overdue
        amount, oldest due date), from one grouped read."""
        groups = self.env["account.move"]._read_group(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", date),
                ("collection_exclude", "=", False),
                # invoices of a closed case (returned, written off) stay with it
                "|",
                ("collection_case_id", "=", False),
                ("collection_case_id.is_closed", "=", False),
            ],
            ["commercial_partner_id"],
            ["amount_residual_signed:sum", "invoice_date_due:min"],
        )
        return {partner: (amount, oldest) for partner, amount, oldest in groups}

    @api.model
    def _collection_sync(self, company, date=None, partners=None, force_partners=None):
        """Open cases for the customers over the company thresholds, join their new
        overdue invoices, assign collectors and close the paid cases.

        ``partners`` restricts the customers considered; ``force_partners`` get a case
        even under the thresholds (escalation). Returns the open cases of the customers
        considered. Set-based: the number of queries does not grow with the cases.
        """
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        self = self.with_company(company)  # noqa: PLW0642
        force_partners = force_partners or self.env["res.partner"]
        overdue = self._collection_thresholds(company, date)
        if partners is not None:
            keep = partners.commercial_partner_id | force_partners
            overdue = {p: v for p, v in overdue.items() if p in keep}
        currency = company.currency_id
        wanted = self.env["res.partner"].concat(
            *(
                partner
                for partner, (amount, oldest) in overdue.items()
                if currency.compare_amounts(amount, company.collection_case_min_amount) >= 0
                and currency.compare_amounts(amount, 0) > 0
                and (date - oldest).days >= company.collection_case_min_days
            )
        )
        wanted |= force_partners.commercial_partner_id
        open_cases = self.search(
            [
                ("company_id", "=", company.id),
                ("is_closed", "=", False),
                ("partner_id", "in", list({p.id for p in overdue} | set(wanted.ids))),
            ]
        )
        with_case = open_cases.partner_id
        # the process opens cases, for whoever runs it
        new_cases = (
            self.with_context(mail_create_nolog=True)
            .sudo()
            .create(
                [
                    {"partner_id": partner.id, "company_id": company.id, "date_open": date}
                    for partner in wanted - with_case
                ]
            )
        )
        new_cases = new_cases.sudo(self.env.su)
        open_cases |= new_cases
        open_cases._collection_join_invoices(date)
        new_cases._collection_assign()
        openings = {}
        for case in new_cases:
            openings[case.id] = _(
                "Case opened: %(amount)s overdue since %(date)s.",
                amount=case.currency_id.format(case.amount_due),
                date=fields.Date.to_string(case.oldest_due_date) or "",
            )
        new_cases._message_log_batch(openings)
        return open_cases

    def _collection_join_invoices(self, date):
        """Overdue invoices of the cases' customers that belong to no case join them."""
        if not self:
            return
        by_key = {(case.partner_id.id, case.company_id.id): case for case in self}
        invoices = self.env["account.move"].search_fetch(
            [
                ("company_id", "in", self.company_id.ids),
                ("commercial_partner_id", "in", self.partner_id.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", date),
                ("collection_exclude", "=", False),
                ("collection_case_id", "=", False),
            ],
            ["commercial_partner_id", "company_id", "amount_residual_signed"],
        )
        joining = [
            (invoice.id, by_key[key])
            for invoice in invoices
            if (key := (invoice.commercial_partner_id.id, invoice.company_id.id)) in by_key
        ]
        if not joining:
            return
        # one statement for every joining invoice: the ORM write of posted moves runs
        # the accounting checks per move, which nothing here needs
        self.env["account.move"].flush_model(["amount_residual_signed", "collection_case_id"])
        self.env.cr.execute(
            SQL(
                """UPDATE account_move m
                      SET collection_case_id = v.case_id,
                          collection_case_assigned = m.amount_residual_signed
                     FROM (VALUES %s) AS v(move_id, case_id)
                    WHERE m.id = v.move_id""",
                SQL(", ").join(SQL("(%s, %s)", move_id, case.id) for move_id, case in joining),
            )
        )
        moves = self.env["account.move"].browse(move_id for move_id, _case in joining)
        moves.invalidate_recordset(["collection_case_id", "collection_case_assigned"])
        moves.modified(["collection_case_id", "collection_case_assigned"])
        self.invalidate_recordset(["invoice_ids"])
        cases = self.browse({case.id for _move_id, case in joining})
        for name in ("amount_assigned", "amount_due", "oldest_due_date"):
            self.env.add_to_compute(self._fields[name], cases)

    def _collection_assign(self):
        """Give the cases without collector one, by the customer's own collector first,
        then by the assignment rules; assigned cases move to the Assigned stage."""
        # callers checked their rights: assignment is the process's, not the user's
        todo = self.sudo().filtered(lambda c: not c.collector_id and not c.is_closed)
        if not todo:
            return
        today = fields.Date.context_today(self)
        available = self.env["res.users"]._collection_available(today)
        rest = self.browse()
        per_user = defaultdict(self.browse)
        for case in todo:
            own = case.partner_id.with_company(case.company_id).collector_id
            if own and own in available:
                per_user[own] |= case
            else:
                rest |= case
        for user, cases in per_user.items():
            cases.collector_id = user
        if rest:
            self.env["collection.assignment.rule"]._collection_apply(rest, today)
        assigned = todo.filtered("collector_id")
        assigned._collection_move_to("assigned", only_from=("new",))
        if assigned:
            assigned.filtered(lambda c: not c.next_action_date).write({"next_action_date": today})

    def _collection_in_legal(self):
        return self.filtered(lambda c: c.legal_stage_id and not c.is_closed)

    def _collection_close_paid(self, date=None):
        """Open cases whose invoices are all paid close themselves."""
        paid = self.filtered(
            lambda c: (
                not c.is_closed
                and c.invoice_ids
                and c.currency_id.compare_amounts(c.amount_due, 0) <= 0
            )
        )
        if paid:
            paid._collection_close("paid", date=date)
            for case in paid:
                case.message_post(body=_("All invoices of the case are paid: case closed."))
        return paid

    # ------------------------------------------------------------------ legal
    def _collection_is_manager(self):
        return self.env.user.has_group("collection_management.group_collection_manager")

    def action_request_legal(self):
        """A collector proposes the cases for legal action; a manager approves."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Propose for legal action"),
            "res_model": "collection.legal.request",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def _collection_request_legal(self, note):
        todo = self.filtered(lambda c: not c.is_closed and not c.legal_stage_id)
        if not todo:
            raise UserError(_("Only open cases that are not in legal action can be proposed."))
        today = fields.Date.context_today(self)
        todo.sudo().write(
            {
                "legal_request_user_id": self.env.user.id,
                "legal_request_date": today,
                "legal_request_note": note,
            }
        )
        managers = self.env.ref("collection_management.group_collection_manager").users
        for case in todo:
            approvers = managers.filtered(
                lambda u, case=case: case.company_id in u.company_ids and u.active and not u.share
            )
            case.message_post(
                body=_(
                    "%(user)s proposes this case for legal action: %(note)s",
                    user=self.env.user.name,
                    note=note or "",
                ),
                partner_ids=approvers.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
        return todo

    def action_approve_legal(self):
        if not self._collection_is_manager():
            raise UserError(_("Only a collection manager can approve legal action."))
        todo = self.filtered(lambda c: c.legal_request_user_id and not c.legal_stage_id)
        if not todo:
            raise UserError(_("None of these cases waits for approval of legal action."))
        for case in todo:
            case._collection_escalate(
                _(
                    "Legal action approved by %(manager)s (proposed by %(user)s on %(date)s).",
                    manager=self.env.user.name,
                    user=case.legal_request_user_id.name,
                    date=fields.Date.to_string(case.legal_request_date),
                )
            )
        return True

    def action_reject_legal(self):
        if not self._collection_is_manager():
            raise UserError(_("Only a collection manager can turn down legal action."))
        todo = self.filtered(lambda c: c.legal_request_user_id and not c.legal_stage_id)
        for case in todo:
            case.message_post(
                body=_(
                    "Legal action proposed by %(user)s turned down by %(manager)s.",
                    user=case.legal_request_user_id.name,
                    manager=self.env.user.name,
                )
            )
        todo.sudo().write(dict.fromkeys(LEGAL_REQUEST_FIELDS, False))
        return True

    def action_escalate_legal(self):
        """A manager sends the cases to legal action directly."""
        if not self._collection_is_manager():
            raise UserError(
                _(
                    "Only a collection manager escalates a case to legal action; propose it "
                    "for approval instead."
                )
            )
        todo = self.filtered(lambda c: not c.is_closed and not c.legal_stage_id)
        if not todo:
            raise UserError(_("Only open cases that are not in legal action can be escalated."))
        for case in todo:
            case._collection_escalate(
                _("Escalated to legal action by %(manager)s.", manager=self.env.user.name)
            )
        return True

    def _collection_escalate(self, message):
        """Put the cases into the first legal stage; reminders stop from now on."""
        stage = self.env["collection.legal.stage"].search([], limit=1)
        if not stage:
            raise UserError(_("No legal stage is configured."))
        cases = self.filtered(lambda c: not c.legal_stage_id and not c.is_closed).sudo()
        if not cases:
            return self.browse()
        today = fields.Date.context_today(self)
        legal = self.env["collection.stage"]._collection_stage("legal")
        for case in cases:
            values = {
                "legal_stage_id": stage.id,
                "legal_date": today,
                "legal_claim_principal": case.amount_due,
            }
            if legal:
                values["stage_id"] = legal.id
            if not case.legal_user_id:
                values["legal_user_id"] = case._collection_default_legal_user().id
            case.write(values)
            case.message_post(body=message)
            if case.legal_user_id:
                case.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=_("New legal case"),
                    note=message,
                    user_id=case.legal_user_id.id,
                )
        return cases

    def _collection_default_legal_user(self):
        """A legal officer of the company who is not a manager, else nobody."""
        self.ensure_one()
        legal = self.env.ref("collection_management.group_collection_legal").users
        managers = self.env.ref("collection_management.group_collection_manager").users
        officers = (legal - managers).filtered(
            lambda u: self.company_id in u.company_ids and u.active and not u.share
        )
        return officers.sorted("id")[:1]

    def action_record_acknowledgement(self):
        return self._collection_open_legal_event("acknowledgement")

    def action_record_demand(self):
        return self._collection_open_legal_event("demand")

    def _collection_open_legal_event(self, kind):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Record an interruption of the limitation period"),
            "res_model": "collection.limitation.event",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id, "default_kind": kind},
        }

    def _collection_record_interruption(self, kind, date, note=False):
        """A written demand or an acknowledgement restarts the limitation period."""
        field = "last_demand_date" if kind == "demand" else "last_acknowledgement_date"
        labels = {
            "demand": _("Demand to the debtor"),
            "acknowledgement": _("Acknowledgement of the debt by the debtor"),
        }
        for case in self:
            if not case[field] or case[field] < date:
                case.sudo()[field] = date
            case.message_post(
                body=_(
                    "%(event)s on %(date)s: the limitation period restarts (new deadline "
                    "%(deadline)s).%(note)s",
                    event=labels[kind],
                    date=fields.Date.to_string(date),
                    deadline=fields.Date.to_string(case.limitation_date) or "-",
                    note=f" {note}" if note else "",
                )
            )

    def _collection_letter_invoices(self):
        self.ensure_one()
        return self.invoice_ids.filtered(
            lambda m: not m.currency_id.is_zero(m.amount_residual)
        ).sorted(lambda m: (m.invoice_date_due, m.id))

    def _collection_letter_date(self):
        return fields.Date.to_string(fields.Date.context_today(self))

    def _collection_letter_deadline(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        return fields.Date.to_string(
            today + relativedelta(days=self.company_id.collection_demand_days)
        )

    def action_send_demand_letter(self):
        return self._collection_send_letter(
            "collection_management.action_report_collection_demand_letter"
        )

    def action_send_lawyer_letter(self):
        return self._collection_send_letter(
            "collection_management.action_report_collection_lawyer_letter"
        )

    def _collection_send_letter(self, report_xmlid):
        """Send the letter to the customer through the mail queue, keep it on the case
        and record the written demand that restarts the limitation period."""
        self.ensure_one()
        if not self.env.user.has_group("collection_management.group_collection_legal"):
            raise UserError(_("Only a legal officer or a manager sends formal letters."))
        if self.is_closed:
            raise UserError(_("The case is closed."))
        if not self._collection_letter_invoices():
            raise UserError(_("The case has nothing due: there is nothing to demand."))
        report = self.env.ref(report_xmlid)
        pdf, _format = self.env["ir.actions.report"]._render_qweb_pdf(report, self.ids)
        lang = self.partner_id.lang or self.env.lang
        name = _(
            "%(letter)s %(case)s.pdf", letter=report.with_context(lang=lang).name, case=self.name
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        recipients = self.partner_id.filtered("email")
        self.message_post(
            body=_(
                "%(letter)s sent to %(partner)s: %(amount)s due by %(deadline)s.",
                letter=report.name,
                partner=self.partner_id.display_name,
                amount=self.currency_id.format(self.amount_due),
                deadline=self._collection_letter_deadline(),
            ),
            attachment_ids=attachment.ids,
            partner_ids=recipients.ids,
            subtype_xmlid="mail.mt_comment",
        )
        self._collection_record_interruption("demand", fields.Date.context_today(self))
        return attachment

    def _collection_notify_legal(self, message):
        """Tell the legal officer of cases in legal action about news on the customer."""
        for case in self._collection_in_legal():
            partners = (case.legal_user_id or case.collector_id).partner_id
            case.message_post(
                body=message, partner_ids=partners.ids, subtype_xmlid="mail.mt_comment"
            )

    @api.model
    def _cron_collection_limitation(self):
        """Warn the legal officer and the collector 90, 30 and 7 days before the
        limitation deadline of an open case (one activity per threshold)."""
        today = fields.Date.context_today(self)
        cases = self.search(
            [
                ("is_closed", "=", False),
                ("limitation_date", "!=", False),
                ("limitation_date", ">=", today),
                ("limitation_date", "<=", today + relativedelta(days=max(LIMITATION_WARNINGS))),
            ]
        )
        warned = self.browse()

        def warn(case):
            nonlocal warned
            if case._collection_warn_limitation(today):
                warned |= case

        self.env["collection.job"]._collection_isolated(
            _("Collections: limitation warnings"), cases, warn
        )
        return warned

    def _collection_warn_limitation(self, today):
        """One activity per threshold for the legal officer and the collector; returns
        whether the case was warned now."""
        self.ensure_one()
        left = (self.limitation_date - today).days
        threshold = min(t for t in LIMITATION_WARNINGS if left <= t)
        summary = _("Limitation deadline in %(days)s days or less", days=threshold)
        if self.activity_ids.filtered(lambda a, summary=summary: a.summary == summary):
            return False
        users = (self.legal_user_id | self.collector_id) or self.create_uid
        note = _(
            "The claim of %(case)s becomes time-barred on %(date)s: send a demand, obtain "
            "an acknowledgement or file the claim before then.",
            case=self.name,
            date=fields.Date.to_string(self.limitation_date),
        )
        for user in users:
            self.activity_schedule(
                "mail.mail_activity_data_warning",
                date_deadline=min(today + relativedelta(days=1), self.limitation_date),
                summary=summary,
                note=note,
                user_id=user.id,
            )
        return True

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_collection_cases(self):
        """Daily: open and join cases, assign, close paid ones, refresh days and scores."""
        today = fields.Date.context_today(self)
        self.env["collection.job"]._collection_isolated(
            _("Collections: case opening and closing"),
            self.env.user.company_ids.sorted("id"),
            lambda company: self.with_company(company)._collection_daily(company, today),
        )

    @api.model
    def _collection_daily(self, company, today):
        """One company's daily pass: open and join cases, close the paid ones, refresh
        the days overdue and scores (they depend on today's date)."""
        self._collection_sync(company, today)
        open_cases = self.search([("company_id", "=", company.id), ("is_closed", "=", False)])
        open_cases._collection_close_paid(today)
        open_cases = open_cases.filtered(lambda c: not c.is_closed)
        self.env.add_to_compute(self._fields["days_overdue"], open_cases)
        self.env.add_to_compute(self._fields["priority_score"], open_cases)
        open_cases.flush_recordset()
