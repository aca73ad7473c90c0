from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# customers named in the summary line of a level or a reason, before "and N more"
NAMES_SHOWN = 5


class CollectionFollowupRun(models.TransientModel):
    _name = "collection.followup.run"
    _description = "Run follow-ups"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    date = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="Days overdue are counted up to this date (today or earlier).",
    )
    partner_ids = fields.Many2many(
        "res.partner", string="Customers", help="Leave empty for every customer."
    )
    state = fields.Selection([("draft", "To run"), ("done", "Done")], default="draft")
    summary = fields.Text(readonly=True)
    summary_html = fields.Html(string="Result", readonly=True)
    followup_ids = fields.Many2many("collection.followup", string="Follow-ups made", readonly=True)
    skipped_partner_ids = fields.Many2many(
        "res.partner",
        "collection_followup_run_skipped_rel",
        "run_id",
        "partner_id",
        string="Customers skipped",
        readonly=True,
    )

    @api.constrains("date")
    def _check_date(self):
        today = fields.Date.context_today(self)
        for run in self:
            if run.date > today:
                raise ValidationError(
                    _(
                        "Follow-ups cannot be run as of %(date)s, a date still to come: "
                        "they would send final notices for invoices not yet overdue.",
                        date=fields.Date.to_string(run.date),
                    )
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

    @api.model
    def _names(self, partners):
        names = ", ".join(partners[:NAMES_SHOWN].mapped("display_name"))
        if len(partners) > NAMES_SHOWN:
            return _("%(names)s and %(count)s more", names=names, count=len(partners) - NAMES_SHOWN)
        return names

    @api.model
    def _links(self, records, label_of):
        """Links to the first ``records`` (their form), then "and N more"."""
        links = Markup(", ").join(
            Markup("<a href='/odoo/%s/%s'>%s</a>") % (record._name, record.id, label_of(record))
            for record in records[:NAMES_SHOWN]
        )
        if len(records) > NAMES_SHOWN:
            return Markup("%s %s") % (
                links,
                _("and %(count)s more", count=len(records) - NAMES_SHOWN),
            )
        return links

    def _summary_html(self, summary):
        """The result as a short list: one item per level reached, linking to the
        follow-ups made, and one per reason for skipping, linking to the customers."""
        items = []
        for level in sorted(summary["per_level"], key=lambda level: level.delay_days):
            made = summary["followups"].filtered(lambda f, level=level: f.level_id == level)
            label = _(
                "%(count)s follow-up(s) at level %(level)s:", count=len(made), level=level.name
            )
            items.append((label, self._links(made, lambda f: f.partner_id.display_name)))
        if not items:
            items.append((_("No follow-up was due."), ""))
        labels = self._skip_labels()
        for reason, partners in sorted(summary["skipped_partners"].items()):
            label = _(
                "%(count)s customer(s) skipped, %(reason)s:",
                count=len(partners),
                reason=labels.get(reason, reason),
            )
            items.append((label, self._links(partners, lambda p: p.display_name)))
        return Markup("<ul class='o_collection_run_result'>%s</ul>") % Markup("").join(
            Markup("<li>%s %s</li>") % (label, links) for label, links in items
        )

    def _summary_lines(self, summary):
        """One line per level reached and per reason for skipping, naming customers."""
        lines = []
        for level in sorted(summary["per_level"], key=lambda level: level.delay_days):
            made = summary["followups"].filtered(lambda f, level=level: f.level_id == level)
            lines.append(
                _(
                    "%(count)s follow-up(s) at level %(level)s: %(names)s",
                    count=len(made),
                    level=level.name,
                    names=self._names(made.partner_id),
                )
            )
        if not lines:
            lines.append(_("No follow-up was due."))
        labels = self._skip_labels()
        for reason, partners in sorted(summary["skipped_partners"].items()):
            lines.append(
                _(
                    "%(count)s customer(s) skipped, %(reason)s: %(names)s",
                    count=len(partners),
                    reason=labels.get(reason, reason),
                    names=self._names(partners),
                )
            )
        return lines

    def action_run(self):
        self.ensure_one()
        if self.company_id not in self.env.user.company_ids:
            raise UserError(
                _("You cannot run the follow-ups of %(company)s.", company=self.company_id.name)
            )
        followups = self.env["collection.followup"]
        decisions, _skipped = followups._collection_decide(
            self.company_id, self.date, self.partner_ids or None
        )
        if len(decisions) > self.company_id.collection_background_run_threshold:
            return (
                self.env["collection.background.run"]
                ._collection_start(
                    "run", self.company_id, self.date, len(decisions), partners=self.partner_ids
                )
                ._collection_action()
            )
        summary = followups._collection_run(self.company_id, self.date, self.partner_ids or None)
        skipped = self.env["res.partner"].union(*summary["skipped_partners"].values())
        self.write(
            {
                "state": "done",
                "summary": "\n".join(self._summary_lines(summary)),
                "summary_html": self._summary_html(summary),
                "followup_ids": [fields.Command.set(summary["followups"].ids)],
                "skipped_partner_ids": [fields.Command.set(skipped.ids)],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Follow-ups run"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collection_management.collection_followup_action"
        )
        action["domain"] = [("id", "in", self.followup_ids.ids)]
        action["context"] = {"create": False}
        return action

    def action_open_skipped(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Customers skipped"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", self.skipped_partner_ids.ids)],
            "context": {"create": False},
        }
