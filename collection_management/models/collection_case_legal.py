import math

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

LIMITATION_WARNINGS = (90, 30, 7)
LEGAL_REQUEST_FIELDS = {"legal_request_user_id", "legal_request_date", "legal_request_note"}
LEGAL_AMOUNT_FIELDS = (
    "legal_claim_principal",
    "legal_claim_interest",
    "legal_claim_fees",
    "legal_claim_costs",
    "legal_judgment_amount",
)


class CollectionCase(models.Model):
    """Legal action on a case: escalation (by a level, a manager, or proposed by a
    collector and approved), the legal file, costs, and the limitation deadline with
    its interruptions and warnings."""

    _inherit = "collection.case"

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
        help="Net recovery: money collected on the case's invoices, less its legal costs, "
        "plus the legal costs the debtor paid back.",
        store=True,
        aggregator="sum",
    )

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

    @api.depends(
        "legal_cost_ids.amount_company",
        "legal_cost_ids.state",
        "legal_cost_ids.amount_recovered",
        "legal_cost_ids.recharge_invoice_id",
        "invoice_ids",
        "amount_recovered",
    )
    def _compute_legal_cost_total(self):
        for case in self:
            costs = case.legal_cost_ids.filtered(lambda c: c.state != "refused")
            case.legal_cost_total = sum(costs.mapped("amount_company"))
            # a recharge invoice that joined the case counts in amount_recovered already
            recovered = sum(
                costs.filtered(
                    lambda c, case=case: c.recharge_invoice_id not in case.invoice_ids
                ).mapped("amount_recovered")
            )
            case.amount_recovered_net = case.amount_recovered - case.legal_cost_total + recovered

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

    def write(self, vals):
        if vals.get("legal_stage_id"):
            stage = self.env["collection.legal.stage"].browse(vals["legal_stage_id"])
            if stage.is_demand and "last_demand_date" not in vals:
                # entering a demand stage is a written demand: it restarts the limitation
                vals = {**vals, "last_demand_date": fields.Date.context_today(self)}
        return super().write(vals)

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
                body=case._collection_text(
                    _lt(
                        "%(user)s proposes this case for legal action: %(note)s",
                        user=self.env.user.name,
                        note=note or "",
                    )
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
                _lt(
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
                body=case._collection_text(
                    _lt(
                        "Legal action proposed by %(user)s turned down by %(manager)s.",
                        user=case.legal_request_user_id.name,
                        manager=self.env.user.name,
                    )
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
                _lt("Escalated to legal action by %(manager)s.", manager=self.env.user.name)
            )
        return True

    def _collection_escalate(self, message):
        """Put the cases into the first legal stage; reminders stop from now on.
        ``message`` as for ``_collection_text``: written in each case's language, and in
        the legal officer's in their task. Many cases at once: their notes in one
        insert, their officers' tasks in one create."""
        stage = self.env["collection.legal.stage"].search([], limit=1)
        if not stage:
            raise UserError(_("No legal stage is configured."))
        cases = self.filtered(lambda c: not c.legal_stage_id and not c.is_closed).sudo()
        if not cases:
            return self.browse()
        today = fields.Date.context_today(self)
        legal = self.env["collection.stage"]._collection_stage("legal")
        claims = cases._collection_escalation_values(today)
        for case in cases:
            case.write({"legal_claim_principal": case.amount_due, **claims.get(case, {})})
        # the stage in one write per company (and officer to give)
        for (_company, has_officer), group in cases.grouped(
            lambda c: (c.company_id, bool(c.legal_user_id))
        ).items():
            values = {"legal_stage_id": stage.id, "legal_date": today}
            if legal:
                values["stage_id"] = legal.id
            if not has_officer:
                values["legal_user_id"] = group[:1]._collection_default_legal_user().id
            group.write(values)
        # a note as ``message_post`` writes it: the text escaped, never markup
        cases._message_log_batch(
            {case.id: Markup("<p>%s</p>") % case._collection_text(message) for case in cases},
            message_type="notification",
        )
        cases._collection_legal_tasks(message)
        return cases

    def _collection_escalation_values(self, date):
        """{case: values} written with the legal stage when these cases are escalated
        (the claim's interest and fees, see collection_case_charge.py)."""
        return {}

    def _collection_legal_tasks(self, message):
        """The task "New legal case" of each case's legal officer, in their language."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for case in self.filtered("legal_user_id"):
            lang = case.legal_user_id.lang
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": case.id,
                    "activity_type_id": todo.id,
                    "summary": case._collection_text(_lt("New legal case"), lang=lang),
                    "note": case._collection_text(message, lang=lang),
                    "user_id": case.legal_user_id.id,
                    "date_deadline": todo._get_date_deadline(),
                }
            )
        # one case: its officer is told by email; many (a follow-up run): their
        # activities list shows the tasks, without an email each
        activities = self.env["mail.activity"]
        if len(vals_list) > 1:
            activities = activities.with_context(mail_activity_quick_update=True)
        activities.create(vals_list)

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
            "demand": _lt("Demand to the debtor"),
            "acknowledgement": _lt("Acknowledgement of the debt by the debtor"),
        }
        for case in self:
            if not case[field] or case[field] < date:
                case.sudo()[field] = date
            case.message_post(
                body=case._collection_text(
                    lambda reader: reader.env._(
                        "%(event)s on %(date)s: the limitation period restarts (new deadline "
                        "%(deadline)s).%(note)s",
                        event=reader.env._(labels[kind]),
                        date=fields.Date.to_string(date),
                        deadline=fields.Date.to_string(reader.limitation_date) or "-",
                        note=f" {note}" if note else "",
                    )
                )
            )

    def _collection_notify_legal(self, message):
        """Tell the legal officer of cases in legal action about news on the customer."""
        for case in self._collection_in_legal():
            partners = (case.legal_user_id or case.collector_id).partner_id
            case.message_post(
                body=case._collection_text(message),
                partner_ids=partners.ids,
                subtype_xmlid="mail.mt_comment",
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
        summary = _lt("Limitation deadline in %(days)s days or less", days=threshold)
        note = _lt(
            "The claim of %(case)s becomes time-barred on %(date)s: send a demand, obtain "
            "an acknowledgement or file the claim before then.",
            case=self.name,
            date=fields.Date.to_string(self.limitation_date),
        )
        users = (self.legal_user_id | self.collector_id) or self.create_uid
        # a threshold is warned once, to each user in their own language
        warned = self.activity_ids.filtered(
            lambda a: a.summary == self._collection_text(summary, lang=a.user_id.lang)
        ).user_id
        if warned:
            return False
        for user in users:
            self.activity_schedule(
                "mail.mail_activity_data_warning",
                date_deadline=min(today + relativedelta(days=1), self.limitation_date),
                summary=self._collection_text(summary, lang=user.lang),
                note=self._collection_text(note, lang=user.lang),
                user_id=user.id,
            )
        return True
