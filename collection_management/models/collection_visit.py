from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# set by the visit's actions (submit, approve, refuse, complete), never by a plain write
SERVER_FIELDS = frozenset(
    {"state", "approver_id", "date_approved", "pre_approved", "interaction_id", "date_done"}
)
# what an approval covers: the customer visited and what the visit costs
APPROVED_FIELDS = frozenset({"case_id", "partner_id", "company_id", "cost_estimate"})
# how the visit is planned: open until it is done or cancelled
PLAN_FIELDS = frozenset(
    {
        "user_id",
        "user_ids",
        "date_planned",
        "duration",
        "address",
        "purpose",
        "checklist_ids",
        "checklist_note",
        "attachment_ids",
    }
)
# what the collector reports back, once the visit is approved
REPORT_FIELDS = frozenset(
    {
        "outcome",
        "met_person",
        "report",
        "acknowledged",
        "acknowledgement_file",
        "acknowledgement_filename",
        "promise_amount",
        "promise_date",
    }
)
OPEN_STATES = ("draft", "to_approve", "approved")
APPROVAL_ACTIVITY = "collection_management.mail_activity_type_visit_approval"
MAX_HOURS = 24


class CollectionVisit(models.Model):
    """A visit to a debtor (上门催收), planned from a case: approved by a manager (or
    by the company's rule for cheap visits), then reported on. Done, it becomes a
    contact of the case's log, with its promise to pay and, with the customer's signed
    acknowledgement, a restart of the limitation period (collection_visit_completion.py)."""

    _name = "collection.visit"
    _inherit = ["collection.case.record.mixin", "mail.thread", "mail.activity.mixin"]
    _description = "Collection Visit"
    _order = "date_planned desc, id desc"

    case_id = fields.Many2one(required=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    user_ids = fields.Many2many(
        "res.users",
        string="People going",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Who goes with the collector.",
    )
    date_planned = fields.Datetime(string="Planned for", required=True, tracking=True)
    duration = fields.Float(default=2.0, help="Hours planned for the visit, travel included.")
    address = fields.Text(
        compute="_compute_address",
        store=True,
        readonly=False,
        precompute=True,
        help="Where to go: the customer's address unless changed here.",
    )
    purpose = fields.Text(required=True)
    checklist_ids = fields.Many2many(
        "collection.visit.material",
        string="What to bring",
        default=lambda self: self._default_checklist(),
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    checklist_note = fields.Char(string="Also bring")
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    cost_estimate = fields.Monetary(
        currency_field="company_currency_id",
        tracking=True,
        help="Expected cost of the visit (travel, lodging): what the manager approves.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To approve"),
            ("approved", "Approved"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    approver_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    date_approved = fields.Datetime(string="Approved on", readonly=True, copy=False)
    pre_approved = fields.Boolean(
        readonly=True,
        copy=False,
        help="Approved without a manager: it costs no more than the company pre-approves.",
    )
    outcome = fields.Selection(selection="_selection_outcome", copy=False, tracking=True)
    met_person = fields.Char(string="Met", copy=False, help="Who received the collector.")
    report = fields.Text(copy=False)
    promise_amount = fields.Monetary(
        currency_field="company_currency_id",
        copy=False,
        help="With the outcome 'Promise to pay': records the promise.",
    )
    promise_date = fields.Date(string="Promised for", copy=False)
    acknowledged = fields.Boolean(
        string="Balance acknowledged",
        copy=False,
        tracking=True,
        help="The customer signed the acknowledgement of the balance: it restarts the "
        "limitation period. The signed form must be attached.",
    )
    acknowledgement_file = fields.Binary(
        string="Signed acknowledgement", attachment=True, copy=False
    )
    acknowledgement_filename = fields.Char(copy=False)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        string="Photos and documents",
        copy=False,
        help="Photos, the signed receipt and other proof of the visit.",
    )
    date_done = fields.Datetime(string="Done on", readonly=True, copy=False)
    interaction_id = fields.Many2one(
        "collection.interaction", string="Contact log entry", readonly=True, copy=False
    )
    promise_id = fields.Many2one(related="interaction_id.promise_id")

    @api.model
    def _selection_outcome(self):
        # the outcomes of the contact log, whatever adds to them, in the reader's language
        field = self.env["collection.interaction"]._fields["outcome"]
        return field._description_selection(self.env)

    @api.model
    def _default_checklist(self):
        company = self.env.company
        return self.env["collection.visit.material"].search(
            [
                ("default_selected", "=", True),
                "|",
                ("company_id", "=", False),
                ("company_id", "=", company.id),
            ]
        )

    @api.depends("partner_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for visit in self:
            if not visit.partner_id:
                visit.display_name = _("New visit")
                continue
            visit.display_name = _("Visit to %(customer)s", customer=visit.partner_id.name)

    @api.depends("partner_id")
    def _compute_address(self):
        for visit in self:
            partner = visit.partner_id
            visit.address = partner._display_address(without_company=True) if partner else False

    @api.constrains("cost_estimate", "promise_amount", "duration")
    def _check_amounts(self):
        for visit in self:
            if visit.company_currency_id.compare_amounts(visit.cost_estimate, 0) < 0:
                raise ValidationError(_("The cost estimate of a visit cannot be negative."))
            if visit.company_currency_id.compare_amounts(visit.promise_amount, 0) < 0:
                raise ValidationError(_("A promise to pay must be a positive amount."))
            if not 0 < visit.duration <= MAX_HOURS:
                raise ValidationError(
                    _("A visit lasts more than zero and at most %(hours)s hours.", hours=MAX_HOURS)
                )

    @api.constrains("acknowledged", "acknowledgement_file")
    def _check_acknowledgement(self):
        for visit in self:
            if visit.acknowledged and not visit.acknowledgement_file:
                raise ValidationError(
                    _(
                        "Attach the acknowledgement signed by the customer: without it the "
                        "balance is not acknowledged."
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._collection_check_user_create(vals)
        visits = super().create(vals_list)
        closed = visits.case_id.filtered("is_closed")
        if closed:
            raise UserError(
                _("Case %(case)s is closed: no visit is planned on it.", case=closed[0].name)
            )
        return visits

    def write(self, vals):
        if not self.env.su:
            self._collection_check_user_write(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if self.filtered(lambda v: v.state == "done"):
            raise UserError(_("A visit that took place stays on record: it cannot be deleted."))

    @api.model
    def _collection_check_user_create(self, vals):
        """A user plans a visit: it starts as a draft, without approval or report."""
        given = {name for name, value in vals.items() if value and name != "state"}
        if given & (SERVER_FIELDS | REPORT_FIELDS) or vals.get("state", "draft") != "draft":
            raise UserError(
                _(
                    "A new visit is a draft: its approval and report are recorded by its "
                    "buttons once it is planned."
                )
            )

    def _collection_check_user_write(self, vals):
        """Rights live where the data changes: a plain write (form or RPC call) never
        approves, completes or reopens a visit, nor changes what was approved."""
        names = set(vals)
        if names & SERVER_FIELDS:
            raise UserError(
                _(
                    "The status and approval of a visit change with its buttons (submit, "
                    "approve, refuse, done, cancel), not by hand."
                )
            )
        closed = self.filtered(lambda v: v.state not in OPEN_STATES)
        if closed and names & (APPROVED_FIELDS | PLAN_FIELDS | REPORT_FIELDS):
            raise UserError(
                _(
                    "The visit %(visit)s is done or cancelled: it can no longer be changed.",
                    visit=closed[0].display_name,
                )
            )
        if names & APPROVED_FIELDS and self.filtered(lambda v: v.state == "approved"):
            raise UserError(
                _(
                    "The customer and cost estimate of an approved visit cannot change: set "
                    "it back to draft to plan it again."
                )
            )
        if names & REPORT_FIELDS and self.filtered(lambda v: v.state != "approved"):
            raise UserError(_("The report of a visit is written once the visit is approved."))

    # ------------------------------------------------------------------ actions
    def action_submit(self):
        """Ask for approval; a visit the company pre-approves is approved at once."""
        self._collection_check_state(("draft",), _("Only a draft visit is submitted."))
        for visit in self:
            if visit._collection_is_pre_approved():
                visit._collection_set_state(
                    {
                        "state": "approved",
                        "pre_approved": True,
                        "date_approved": fields.Datetime.now(),
                    }
                )
            else:
                visit._collection_set_state({"state": "to_approve"})
                visit._collection_ask_approval()
        return True

    def action_approve(self):
        self._collection_check_manager()
        self._collection_check_state(("to_approve",), _("Only a visit to approve is approved."))
        self._collection_set_state(
            {
                "state": "approved",
                "approver_id": self.env.uid,
                "date_approved": fields.Datetime.now(),
            }
        )
        return True

    def action_refuse(self):
        self._collection_check_manager()
        self._collection_check_state(("to_approve",), _("Only a visit to approve is refused."))
        self._collection_set_state({"state": "cancel", "approver_id": self.env.uid})
        for visit in self:
            # told to the collector, in the collector's language
            reader = visit.with_context(lang=visit.user_id.lang or self.env.lang)
            visit.message_post(
                body=reader.env._("Visit refused by %(user)s.", user=self.env.user.name),
                partner_ids=visit.user_id.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_cancel(self):
        self._collection_check_state(OPEN_STATES, _("A visit that took place is not cancelled."))
        self._collection_set_state({"state": "cancel"})
        return True

    def action_draft(self):
        """Plan the visit again: an approval given to it no longer holds."""
        self._collection_check_state(
            ("to_approve", "approved", "cancel"), _("The visit is already a draft or done.")
        )
        self._collection_set_state(
            {"state": "draft", "approver_id": False, "date_approved": False, "pre_approved": False}
        )
        return True

    def action_print_sheet(self):
        self.ensure_one()
        return self.env.ref("collection_management.action_report_collection_visit").report_action(
            self
        )

    # ------------------------------------------------------------------ rules
    def _collection_is_pre_approved(self):
        """Visits costing no more than the company's pre-approved amount need no manager
        (an amount of zero: every visit does)."""
        self.ensure_one()
        limit = self.company_id.collection_visit_preapproved_amount
        currency = self.company_currency_id
        return currency.compare_amounts(limit, 0) > 0 and (
            currency.compare_amounts(self.cost_estimate, limit) <= 0
        )

    def _collection_check_manager(self):
        if not self.env.user.has_group("collection_management.group_collection_manager"):
            raise UserError(_("Only a collection manager approves or refuses visits."))

    def _collection_check_state(self, states, message):
        if self.filtered(lambda v: v.state not in states):
            raise UserError(message)

    def _collection_set_state(self, vals):
        """Write the status as the actions decide it, on visits the user may change;
        a visit that no longer waits for approval asks the managers for nothing."""
        self.check_access("write")
        self.sudo().write(vals)
        if vals.get("state") != "to_approve":
            self.sudo().activity_unlink([APPROVAL_ACTIVITY])

    def _collection_ask_approval(self):
        """An activity for each collection manager of the visit's company, in their
        language."""
        self.ensure_one()
        managers = self.env.ref("collection_management.group_collection_manager").sudo().users
        approvers = managers.filtered(
            lambda u: (
                not u.share
                and self.company_id in u.company_ids
                and u != self.env.ref("base.user_root")
            )
        )
        for approver in approvers:
            reader = self.with_context(lang=approver.lang or self.env.lang)
            self.sudo().activity_schedule(
                APPROVAL_ACTIVITY,
                summary=reader.env._(
                    "Approve the visit of %(collector)s: %(cost)s",
                    collector=self.user_id.name,
                    cost=self.company_currency_id.format(self.cost_estimate),
                ),
                user_id=approver.id,
            )
