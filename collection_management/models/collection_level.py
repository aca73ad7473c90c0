from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# a level is due at most a year before and ten years after the due date
DAY_BOUNDS = {
    "delay_days": (-365, 3650),
    "min_interval_days": (0, 3650),
    "activity_delay_days": (0, 3650),
}


class CollectionLevel(models.Model):
    _name = "collection.level"
    _inherit = ["collection.values.mixin"]
    _collection_bounds = DAY_BOUNDS
    _collection_named = True
    _description = "Follow-up Level"
    _order = "policy_id, delay_days, id"
    _check_company_auto = True

    policy_id = fields.Many2one("collection.policy", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    sequence = fields.Integer(
        compute="_compute_sequence",
        store=True,
        help="Position of the level in its policy (1 = first reminder), from its delay.",
    )
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(
        default=True,
        help="An archived level is no longer used for new follow-ups; the follow-ups, "
        "invoices and cases that reached it keep it.",
    )
    delay_days = fields.Integer(
        string="Days after due date",
        required=True,
        help="The level is due this many days after the invoice due date; a negative "
        "number sends a reminder before the due date.",
    )
    auto_execute = fields.Boolean(
        string="Execute automatically",
        default=True,
        help="Send and act without review. Otherwise the follow-up waits as a draft "
        "for an accountant to preview, edit and send.",
    )
    send_email = fields.Boolean(default=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email template",
        domain="[('model', '=', 'collection.followup')]",
        ondelete="restrict",
    )
    attach_statement = fields.Boolean(
        help="Attach the customer's statement of account (PDF) to the email."
    )
    create_activity = fields.Boolean(
        help="Schedule an activity (call, letter, ...) for the customer's collector."
    )
    activity_type_id = fields.Many2one("mail.activity.type")
    activity_note = fields.Html(translate=True)
    activity_delay_days = fields.Integer(
        string="Activity deadline (days)", default=0, help="Days after the follow-up date."
    )
    credit_hold = fields.Boolean(
        help="Put the customer on credit hold (no new deliveries or invoices)."
    )
    escalate_legal = fields.Boolean(
        string="Escalate to legal",
        help="Move the customer's collection case into the first legal stage; no "
        "automated reminder goes to a customer in legal.",
    )
    min_interval_days = fields.Integer(
        string="Minimum interval (days)",
        default=7,
        help="Never send this level to a customer sooner than this many days after "
        "the previous follow-up.",
    )
    description = fields.Text(translate=True)
    fee_amount = fields.Monetary(
        string="Fee",
        currency_field="company_currency_id",
        help="Collection fee proposed when a follow-up of this level is sent. With a fee "
        "percentage, the fee is that percentage of the overdue amount, but at least this "
        "amount; without one, this amount alone. 0 and no percentage: no fee.",
    )
    fee_percent = fields.Float(
        string="Fee (%)",
        digits=(16, 2),
        help="Fee as a percentage of the overdue amount of the follow-up, at least the fixed fee.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")

    @api.depends("policy_id.level_ids.delay_days", "policy_id.level_ids.active", "active")
    def _compute_sequence(self):
        positions = {}
        for policy in self.policy_id:
            for position, level in enumerate(policy._levels_by_delay(), start=1):
                positions[level] = position
        for level in self:
            # archived levels are out of the order
            level.sequence = positions.get(level, 0)

    @api.constrains("send_email", "mail_template_id")
    def _check_mail_template(self):
        for level in self:
            if level.send_email and not level.mail_template_id:
                raise ValidationError(
                    _(
                        "Level %(level)s sends an email but has no email template.",
                        level=level.name,
                    )
                )
            if level.mail_template_id and level.mail_template_id.model != "collection.followup":
                raise ValidationError(
                    _(
                        "The template %(template)s of level %(level)s is made for "
                        "%(model)s records; follow-up emails need a template on "
                        "Follow-ups.",
                        template=level.mail_template_id.name,
                        level=level.name,
                        model=level.mail_template_id.model,
                    )
                )

    @api.constrains("policy_id", "delay_days", "active")
    def _check_unique_delay(self):
        for policy, levels in self.grouped("policy_id").items():
            delays = [level.delay_days for level in policy.level_ids]
            for level in levels:
                if delays.count(level.delay_days) > 1:
                    raise ValidationError(
                        _(
                            "Policy %(policy)s already has a level %(delay)s days after the "
                            "due date; two levels of one policy cannot share a delay.",
                            policy=policy.name,
                            delay=level.delay_days,
                        )
                    )

    @api.constrains("fee_amount", "fee_percent")
    def _check_fee(self):
        for level in self:
            if level.fee_amount < 0 or not 0 <= level.fee_percent <= 100:
                raise ValidationError(
                    _(
                        "The fee of level %(level)s must be a positive amount and its "
                        "percentage lie between 0 and 100.",
                        level=level.name,
                    )
                )

    def _collection_fee(self, overdue):
        """The fee of this level on ``overdue`` (company currency): the percentage of
        it, at least the fixed fee; the fixed fee alone without a percentage."""
        self.ensure_one()
        fee = overdue * self.fee_percent / 100 if self.fee_percent else 0.0
        return self.company_currency_id.round(max(fee, self.fee_amount))

    @api.constrains("create_activity", "activity_type_id")
    def _check_activity_type(self):
        for level in self:
            if level.create_activity and not level.activity_type_id:
                raise ValidationError(
                    _(
                        "Level %(level)s schedules an activity: choose its activity type.",
                        level=level.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = self._collection_used()
        if used:
            raise UserError(
                _(
                    "Level %(level)s has been reached by follow-ups, invoices or cases: "
                    "deleting it would lose that history. Please archive it instead; new "
                    "follow-ups no longer use an archived level.",
                    level=used[0].display_name,
                )
            )

    def _collection_used(self):
        """The levels among these that follow-ups, invoices or cases refer to."""
        levels = self.sudo().with_context(active_test=False)
        used = set()
        for model, field in (
            ("collection.followup", "level_id"),
            ("account.move", "collection_level_id"),
            ("collection.case", "level_id"),
        ):
            groups = levels.env[model]._read_group([(field, "in", levels.ids)], [field])
            used.update(level.id for (level,) in groups)
        return self.browse([level_id for level_id in self.ids if level_id in used])
