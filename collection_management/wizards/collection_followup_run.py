from odoo import _, fields, models


class CollectionFollowupRun(models.TransientModel):
    _name = "collection.followup.run"
    _description = "Run follow-ups"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="Days overdue are counted up to this date.",
    )
    partner_ids = fields.Many2many(
        "res.partner", string="Customers", help="Leave empty for every customer."
    )

    def _skip_labels(self):
        return {
            "no_policy": _("no follow-up policy"),
            "no_level": _("no level due yet"),
            "interval": _("minimum interval not reached"),
            "pending": _("a follow-up waits for review or was made that day"),
            "credits": _("credits cover the overdue amount"),
            "promise": _("paused by an open promise to pay"),
            "legal": _("in legal action"),
            "locked": _("handled by another run at the same time"),
        }

    def action_run(self):
        self.ensure_one()
        summary = self.env["collection.followup"]._collection_run(
            self.company_id, self.date, self.partner_ids or None
        )
        labels = self._skip_labels()
        lines = [
            _("%(count)s follow-up(s) at level %(level)s", count=count, level=level)
            for level, count in sorted(summary["per_level"].items())
        ] or [_("No follow-up was due.")]
        lines += [
            _(
                "%(count)s customer(s) skipped: %(reason)s",
                count=count,
                reason=labels.get(reason, reason),
            )
            for reason, count in sorted(summary["skipped"].items())
        ]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Follow-ups run"),
                "message": "\n".join(lines),
                "sticky": True,
                "type": "success" if summary["followups"] else "info",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
