"""One timeline per customer: contacts, promises, follow-ups, emails, payments and
disputes in date order, shown on the case and on the customer.

Each entry is read with the rights of the user who looks: what they cannot read is not
on their timeline."""

from datetime import datetime, time

from markupsafe import Markup

from odoo import _, api, fields, models

TIMELINE_LIMIT = 200
KIND_BADGES = {
    "contact": "text-bg-primary",
    "promise": "text-bg-success",
    "followup": "text-bg-info",
    "email": "text-bg-secondary",
    "payment": "text-bg-success",
    "dispute": "text-bg-warning",
}


class CollectionTimeline(models.AbstractModel):
    _name = "collection.timeline"
    _description = "Customer Timeline"

    @api.model
    def _collection_kinds(self):
        return {
            "contact": _("Contact"),
            "promise": _("Promise"),
            "followup": _("Follow-up"),
            "email": _("Email"),
            "payment": _("Payment"),
            "dispute": _("Dispute"),
        }

    @api.model
    def _collection_entries(self, partner, company, limit=TIMELINE_LIMIT):
        """Entries of the customer in the company, newest first: dicts with ``date``
        (datetime), ``kind``, ``summary``, ``user`` and ``record``."""
        partner = partner.commercial_partner_id
        entries = [
            *self._collection_contacts(partner, company),
            *self._collection_promises(partner, company),
            *self._collection_followups(partner, company),
            *self._collection_emails(partner, company),
            *self._collection_payments(partner, company),
            *self._collection_disputes(partner, company),
        ]
        entries.sort(key=lambda e: (e["date"], e["record"].id), reverse=True)
        return entries[:limit]

    @api.model
    def _collection_entry(self, date, kind, summary, record, user=None):
        if not isinstance(date, datetime):
            date = datetime.combine(date, time.min)
        return {"date": date, "kind": kind, "summary": summary, "record": record, "user": user}

    def _collection_contacts(self, partner, company):
        interactions = self.env["collection.interaction"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        return [
            self._collection_entry(
                i.date,
                "contact",
                " — ".join(filter(None, [i.display_name, i.note])),
                i,
                i.user_id,
            )
            for i in interactions
        ]

    def _collection_promises(self, partner, company):
        promises = self.env["collection.promise"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        states = dict(promises._fields["state"]._description_selection(self.env))
        return [
            self._collection_entry(
                p.date,
                "promise",
                _(
                    "%(amount)s promised for %(date)s (%(state)s)",
                    amount=p.currency_id.format(p.amount),
                    date=fields.Date.to_string(p.date_promised),
                    state=states.get(p.state),
                ),
                p,
                p.user_id,
            )
            for p in promises
        ]

    def _collection_followups(self, partner, company):
        followups = self.env["collection.followup"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "in", ("done", "failed")),
            ]
        )
        states = dict(followups._fields["state"]._description_selection(self.env))
        return [
            self._collection_entry(
                f.date,
                "followup",
                _(
                    "%(level)s: %(amount)s (%(state)s)",
                    level=f.level_id.name,
                    amount=f.currency_id.format(f.amount_due),
                    state=states.get(f.state),
                ),
                f,
            )
            for f in followups
        ]

    def _collection_emails(self, partner, company):
        cases = self.env["collection.case"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        comment = self.env.ref("mail.mt_comment")
        messages = self.env["mail.message"].search(
            [
                "|",
                "&",
                ("model", "=", "collection.case"),
                ("res_id", "in", cases.ids),
                "&",
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                "|",
                ("message_type", "in", ("email", "email_outgoing")),
                "&",
                ("message_type", "=", "comment"),
                ("subtype_id", "=", comment.id),
            ],
            limit=TIMELINE_LIMIT,
        )
        return [
            self._collection_entry(
                m.date,
                "email",
                m.subject or m.preview or m.record_name or "",
                m,
                m.author_id.user_ids[:1],
            )
            for m in messages
        ]

    def _collection_payments(self, partner, company):
        if not self.env["account.payment"].has_access("read"):
            return []
        payments = self.env["account.payment"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("company_id", "=", company.id),
                ("payment_type", "=", "inbound"),
                ("partner_type", "=", "customer"),
                ("state", "in", ("in_process", "paid")),
            ]
        )
        return [
            self._collection_entry(
                p.date,
                "payment",
                _(
                    "%(amount)s received (%(name)s)",
                    amount=p.currency_id.format(p.amount),
                    name=p.name,
                ),
                p,
            )
            for p in payments
        ]

    def _collection_disputes(self, partner, company):
        """Disputes raised and released on the customer's invoices, dated by their
        tracking; a dispute without tracking (tracking was off) by the invoice's last
        change."""
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
            ]
        )
        field = self.env["ir.model.fields"]._get("account.move", "collection_dispute_reason_id")
        # tracking values are technical records: read for the invoices the user can read
        trackings = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("field_id", "=", field.id),
                    ("mail_message_id.model", "=", "account.move"),
                    ("mail_message_id.res_id", "in", invoices.ids),
                ]
            )
        )
        entries = []
        tracked = set()
        for tracking in trackings:
            message = tracking.mail_message_id
            invoice = invoices.browse(message.res_id)
            tracked.add(invoice.id)
            if tracking.new_value_char:
                summary = _(
                    "%(invoice)s disputed: %(reason)s",
                    invoice=invoice.name,
                    reason=tracking.new_value_char,
                )
            else:
                summary = _("Dispute on %(invoice)s released", invoice=invoice.name)
            entries.append(
                self._collection_entry(
                    message.date, "dispute", summary, invoice, message.author_id.user_ids[:1]
                )
            )
        for invoice in invoices.filtered(
            lambda m: m.collection_dispute_reason_id and m.id not in tracked
        ):
            entries.append(
                self._collection_entry(
                    invoice.write_date,
                    "dispute",
                    _(
                        "%(invoice)s disputed: %(reason)s",
                        invoice=invoice.name,
                        reason=invoice.collection_dispute_reason_id.name,
                    ),
                    invoice,
                )
            )
        return entries

    @api.model
    def _collection_render(self, entries):
        """The entries as an HTML table (every value escaped)."""
        if not entries:
            return Markup("<p class='text-muted'>%s</p>") % _("Nothing happened yet.")
        kinds = self._collection_kinds()
        rows = Markup().join(
            Markup(
                "<tr><td class='text-nowrap'>%s</td><td><span class='badge %s'>%s</span></td>"
                "<td>%s</td><td class='text-nowrap'>%s</td></tr>"
            )
            % (
                fields.Date.to_string(entry["date"].date()),
                KIND_BADGES.get(entry["kind"], "text-bg-light"),
                kinds.get(entry["kind"], entry["kind"]),
                entry["summary"],
                entry["user"].name if entry["user"] else "",
            )
            for entry in entries
        )
        return Markup(
            "<table class='table table-sm o_collection_timeline'><thead><tr>"
            "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table>"
        ) % (_("Date"), _("What"), _("Details"), _("By"), rows)


class CollectionCase(models.Model):
    _inherit = "collection.case"

    timeline_html = fields.Html(string="Timeline", compute="_compute_timeline_html", sanitize=False)

    def _compute_timeline_html(self):
        timeline = self.env["collection.timeline"]
        for case in self:
            if not case._origin.id:
                case.timeline_html = False
                continue
            entries = timeline._collection_entries(case.partner_id, case.company_id)
            case.timeline_html = timeline._collection_render(entries)


class ResPartner(models.Model):
    _inherit = "res.partner"

    collection_timeline_html = fields.Html(
        string="Collection timeline",
        compute="_compute_collection_timeline_html",
        sanitize=False,
        groups="collection_management.group_collection_collector",
    )

    def _compute_collection_timeline_html(self):
        timeline = self.env["collection.timeline"]
        for partner in self:
            if not partner._origin.id:
                partner.collection_timeline_html = False
                continue
            entries = timeline._collection_entries(partner._origin, self.env.company)
            partner.collection_timeline_html = timeline._collection_render(entries)
