import hmac
import secrets

from odoo import api, fields, models


class CollectionWeeklyReportAcknowledgement(models.Model):
    """One recipient of a weekly report, and when they acknowledged it. The token is
    the recipient's own: the link of their email carries it, so that they acknowledge
    in one click without logging in; nobody else can read it."""

    _name = "collection.weekly.report.acknowledgement"
    _description = "Weekly Report Acknowledgement"
    _order = "report_id desc, acknowledged_date, id"
    _rec_name = "user_id"

    report_id = fields.Many2one(
        "collection.weekly.report", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="report_id.company_id", store=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="Recipient", required=True, index=True, readonly=True
    )
    acknowledged_date = fields.Datetime(string="Acknowledged on", readonly=True)
    acknowledged = fields.Boolean(compute="_compute_acknowledged", store=True)
    access_token = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        groups="base.group_system",
        default=lambda self: secrets.token_urlsafe(32),
    )

    _sql_constraints = [
        (
            "report_user_unique",
            "unique(report_id, user_id)",
            "A recipient acknowledges a weekly report once.",
        ),
    ]

    @api.depends("acknowledged_date")
    def _compute_acknowledged(self):
        for acknowledgement in self:
            acknowledgement.acknowledged = bool(acknowledgement.acknowledged_date)

    @api.model
    def _collection_find(self, report_id, token, user):
        """The acknowledgement of report ``report_id`` that ``token`` opens, else (no
        token) the one of ``user`` when they are a recipient; else an empty record."""
        if not isinstance(report_id, int):
            return self.browse()
        acknowledgements = self.sudo().search([("report_id", "=", report_id)])
        if token:
            if not isinstance(token, str) or not 20 <= len(token) <= 128:
                return self.browse()
            return acknowledgements.filtered(
                lambda ack: hmac.compare_digest(ack.access_token, token)
            )[:1]
        if user._is_public() or user.share:
            return self.browse()
        return acknowledgements.filtered(lambda ack: ack.user_id == user)[:1]

    def _collection_acknowledge(self):
        """Record the acknowledgement now; one already recorded keeps its date."""
        pending = self.sudo().filtered(lambda ack: not ack.acknowledged_date)
        pending.write({"acknowledged_date": fields.Datetime.now()})
        return self

    def _collection_url(self):
        """The one-click link of the recipient's email."""
        self.ensure_one()
        acknowledgement = self.sudo()
        return "%s/collection/weekly-report/%s/acknowledge?token=%s" % (
            acknowledgement.report_id.get_base_url(),
            acknowledgement.report_id.id,
            acknowledgement.access_token,
        )
