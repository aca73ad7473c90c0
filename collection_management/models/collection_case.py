from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.translate import LazyGettext, LazyTranslate

_lt = LazyTranslate(__name__)


class CollectionCase(models.Model):
    """A collection case: one customer's overdue invoices in one company, worked by a
    collector until paid or closed. This file holds the case, its amounts and its
    stages; opening and assignment, rights, scoring, legal action and letters extend
    the same model in their own files (``collection_case_*.py``)."""

    _name = "collection.case"

    _description = "Collection Case"

    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "mail.tracking.duration.mixin",
        "collection.values.mixin",
    ]

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

    interaction_ids = fields.One2many("collection.interaction", "case_id", string="Contact log")

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
        help="Part of the assigned amount cleared by credit notes or written off rather than paid.",
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

    last_payment_date = fields.Date(compute="_compute_amounts", store=True)

    _sql_constraints = [
        (
            "name_company_unique",
            "unique(name, company_id)",
            "A case reference is unique within a company.",
        ),
    ]

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
            # an invoice that owes more than when it joined (a payment made before it
            # joined was reversed) brings that debt to the case too
            case.amount_assigned = sum(
                max(invoice.collection_case_assigned, invoice.amount_residual_signed)
                for invoice in invoices
            )
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
        rows = self.env.execute_query(
            SQL(
                """SELECT s.case_id,
                          SUM(s.amount) FILTER (WHERE s.by_credit_note),
                          MAX(s.date) FILTER (WHERE NOT s.by_credit_note)
                     FROM (%s) s
                    WHERE s.case_id = ANY(%s)
                 GROUP BY s.case_id""",
                self.env["account.partial.reconcile"]._collection_settlements_sql(),
                cases.ids,
            )
        )
        return (
            {case_id: credited or 0.0 for case_id, credited, _paid in rows},
            {case_id: paid for case_id, _credited, paid in rows if paid},
        )

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

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        self._collection_number(vals_list)
        cases = super().create(vals_list)
        cases._collection_check_single_open()
        return cases

    def write(self, vals):
        res = super().write(vals)
        if "partner_id" in vals or "company_id" in vals or "stage_id" in vals:
            self._collection_check_single_open()
        return res

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
        # a collector who left since the case closed does not get it back: the case goes
        # to the assignment, as the open cases of a leaving collector do
        gone = self.filtered(lambda c: c.collector_id and not c.collector_id.active)
        if gone:
            gone.sudo().write({"collector_id": False})
            gone._collection_assign()
        return True

    def action_evaluate_promises(self):
        self.promise_ids.filtered(lambda p: p.state == "open")._collection_evaluate()
        return True

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
        for case in self:
            case.activity_ids.action_feedback(feedback=case._collection_text(_lt("Case closed.")))

    def _collection_reader_lang(self):
        """The language the process writes the case's chatter in (a message is stored
        once; the daily jobs run in English): whoever works the case's, else the company's."""
        self.ensure_one()
        worker = (self.legal_stage_id and self.legal_user_id) or self.collector_id
        return worker.lang or self.company_id.partner_id.lang or self.env.lang or "en_US"

    def _collection_text(self, message, lang=None):
        """``message`` (lazy translation, function of the case, text) in ``lang``."""
        self.ensure_one()
        case = self.with_context(lang=lang or self._collection_reader_lang())
        if isinstance(message, LazyGettext):
            return case.env._(message)
        return message(case) if callable(message) else message

    def _collection_in_legal(self):
        return self.filtered(lambda c: c.legal_stage_id and not c.is_closed)

    def _collection_is_manager(self):
        return self.env.user.has_group("collection_management.group_collection_manager")
