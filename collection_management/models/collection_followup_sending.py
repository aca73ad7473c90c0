"""Sending many follow-ups at once: the emails rendered per template and language, the
chatter notes written in one insert, and the statements of many customers in one PDF
rendering split per customer (printed when the mail queue sends the emails, see
mail_mail.py). The run and a bulk "Send" of reviewed drafts both go through here, so
their cost per follow-up stays flat."""

import logging
from collections import defaultdict

from odoo import _, api, models, tools

_logger = logging.getLogger(__name__)

# customers whose statements one wkhtmltopdf process prints (then cut per customer)
STATEMENT_CHUNK = 100


class CollectionFollowup(models.Model):
    _inherit = "collection.followup"

    @api.model
    def _collection_pdf_rendering(self):
        """Whether statements are real PDFs (in tests Odoo renders reports as HTML,
        unless a test asks for the PDF)."""
        testing = tools.config["test_enable"] or tools.config["test_file"]
        return not testing or self.env.context.get("force_report_rendering")

    def _collection_statement_pdfs(self):
        """{follow-up: statement file content} of these follow-ups: per company, one
        rendering for up to ``STATEMENT_CHUNK`` customers, split per customer; a chunk
        that cannot be split is rendered customer by customer."""
        report = self.env.ref("collection_management.action_report_collection_statement")
        contents = {}
        for company, followups in self.grouped("company_id").items():
            # the statement is the follow-up's company's, whatever company the sender is in
            reports = self.env["ir.actions.report"].with_company(company)
            partner_ids = list(dict.fromkeys(followups.partner_id.ids))
            per_partner = {}
            for chunk in tools.split_every(STATEMENT_CHUNK, partner_ids, list):
                per_partner.update(self._collection_render_statements(reports, report, chunk))
            for followup in followups:
                contents[followup] = per_partner[followup.partner_id.id]
        return contents

    @api.model
    def _collection_render_statements(self, reports, report, partner_ids):
        """{partner id: statement content} for ``partner_ids``, in one rendering when
        the PDF splits per customer."""
        if len(partner_ids) > 1 and self._collection_pdf_rendering():
            split = reports._collection_render_batch(report, partner_ids)
            if set(split) == set(partner_ids):
                return split
        return {
            partner_id: reports._render_qweb_pdf(report, [partner_id])[0]
            for partner_id in partner_ids
        }

    def _collection_statement_attachments(self):
        """{follow-up: attachment} of the statements of these follow-ups, created at
        once, each named in its customer's language."""
        contents = self._collection_statement_pdfs()
        vals_list = []
        for followup in self:
            # the customer receives it: named in the customer's language
            customer = followup.with_context(lang=followup.partner_id.lang or self.env.lang)
            vals_list.append(
                {
                    "name": customer.env._(
                        "Statement %(partner)s %(date)s.pdf",
                        partner=followup.partner_id.name,
                        date=followup.date,
                    ),
                    "type": "binary",
                    "raw": contents[followup],
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": followup.id,
                }
            )
        attachments = self.env["ir.attachment"].create(vals_list)
        return dict(zip(self, attachments, strict=True))

    def _collection_statement_attachment(self):
        self.ensure_one()
        return self._collection_statement_attachments()[self]

    def _collection_statement_attachments_isolated(self):
        """Like ``_collection_statement_attachments``, but a rendering that fails is
        tried again customer by customer: returns ({follow-up: attachment},
        {reason: follow-ups whose statement could not be printed})."""
        try:
            with self.env.cr.savepoint():
                return self._collection_statement_attachments(), {}
        except Exception as error:  # each statement is tried alone below
            if len(self) == 1:
                return {}, {self._collection_statement_error(error): self}
        attachments, failed = {}, defaultdict(self.browse)
        for followup in self:
            try:
                with self.env.cr.savepoint():
                    attachments.update(followup._collection_statement_attachments())
            except Exception as error:  # reported on the follow-up
                failed[self._collection_statement_error(error)] |= followup
        return attachments, dict(failed)

    @api.model
    def _collection_statement_error(self, error):
        _logger.warning("statement of a follow-up could not be printed: %s", error)
        return _(
            "The statement could not be printed: %(error)s",
            error=tools.exception_to_unicode(error),
        )

    def _collection_send_email(self):
        """Queue the email of each follow-up through Odoo's mail queue, rendered per
        template (and, inside it, per language of the customers). The statement of
        the levels that attach one is printed when the queue sends the email (see
        mail_mail.py), for many emails at once."""
        mails = self.env["mail.mail"]
        with self._collection_render_batch():
            for template, followups in self.grouped(lambda f: f.level_id.mail_template_id).items():
                queued = template.send_mail_batch(followups.ids, force_send=False)
                for followup, mail in zip(followups, queued, strict=True):
                    followup.mail_id = mail
                    if followup.level_id.attach_statement:
                        mails |= mail
        mails.write({"collection_statement_pending": True})
        self.write({"channel": "email", "state": "done", "error": False})

    def _collection_log_done(self):
        """The note "Follow-up <level>: N invoice(s), amount due" on each customer
        (in its collector's language) and on its case (in its worker's language),
        written at once."""
        partner_bodies, case_bodies = [], []
        for followup in self:
            partner_lang = followup.partner_id._collection_reader_lang(followup.company_id)
            partner_bodies.append(
                (followup.partner_id, followup._collection_done_text(partner_lang))
            )
            case = followup.sudo().case_id
            if case:
                case_bodies.append(
                    (case, followup._collection_done_text(case._collection_reader_lang()))
                )
        for bodies in (partner_bodies, case_bodies):
            self._collection_log_batch(bodies)

    @api.model
    def _collection_log_batch(self, bodies):
        """Log ``bodies`` [(record, text)] as notes, one insert per model and round (a
        record noted twice gets its second note in the next round)."""
        while bodies:
            seen, batch, rest = set(), {}, []
            for record, body in bodies:
                if record in seen:
                    rest.append((record, body))
                    continue
                seen.add(record)
                batch[record] = body
            records = self.env[next(iter(batch))._name].concat(*batch)
            records._message_log_batch(
                {record.id: body for record, body in batch.items()}, message_type="notification"
            )
            bodies = rest
