import logging

from markupsafe import Markup

from odoo import _, api, models

_logger = logging.getLogger(__name__)


class CollectionJob(models.AbstractModel):
    """What every daily job of the addon shares: one bad record never stops the job
    for everyone. Each unit of work runs in its own savepoint; a failure is rolled
    back, logged, reported to the managers of the record's company, and the job goes
    on with the next unit."""

    _name = "collection.job"
    _description = "Collection Job Guard"

    @api.model
    def _collection_isolated(self, job_name, items, action, report=True):
        """Call ``action(item)`` for each of ``items`` in a savepoint of its own.

        Returns the list of ``(item, error)`` that failed; their changes are rolled back
        and, with ``report``, the managers are told on the record (or on the company)
        concerned."""
        failed = []
        for item in items:
            try:
                with self.env.cr.savepoint():
                    action(item)
            except Exception as error:  # one unit, whatever its fault
                _logger.exception("%s: %r failed and was skipped", job_name, item)
                failed.append((item, error))
        if failed and report:
            self._collection_report_failures(job_name, failed)
        return failed

    @api.model
    def _collection_job_companies(self, company_id=None):
        """The companies a daily job runs for: the company of a company's own job (none
        when that company is gone or archived), else every company of the job's user."""
        if company_id is None:
            return self.env.user.company_ids.sorted("id")
        if not isinstance(company_id, int) or isinstance(company_id, bool):
            raise ValueError(f"a company id is expected, not {company_id!r}")
        return self.env["res.company"].sudo().browse(company_id).exists().filtered("active")

    @api.model
    def _collection_report_failures(self, job_name, failed):
        """Tell the collection managers of each failed record's company, in the record's
        chatter when it has one, else in the chatter of the company's partner."""
        managers = self.env.ref("collection_management.group_collection_manager").sudo().users
        for item, error in failed:
            records = item if isinstance(item, models.BaseModel) else None
            company = self._collection_company_of(records)
            target = records[:1] if records and hasattr(records, "message_post") else None
            if target is None and company:
                target = company.partner_id
            if target is None:
                continue
            recipients = managers.filtered(
                lambda user, company=company: (
                    user.active and not user.share and (not company or company in user.company_ids)
                )
            )
            body = Markup("<p>%s</p><pre>%s</pre>") % (
                _(
                    "The daily job “%(job)s” could not process %(record)s and skipped it; "
                    "the other records were processed. Please correct it.",
                    job=job_name,
                    record=", ".join(records.mapped("display_name")) if records else str(item),
                ),
                str(error)[:2000],
            )
            try:
                with self.env.cr.savepoint():
                    target.sudo().message_post(
                        body=body,
                        partner_ids=recipients.partner_id.ids,
                        subtype_xmlid="mail.mt_note",
                        message_type="notification",
                    )
            except Exception:  # reporting must not fail the job
                _logger.exception("%s: could not report the failure of %r", job_name, item)

    @api.model
    def _collection_company_of(self, records):
        if records is None:
            return self.env["res.company"]
        if records._name == "res.company":
            return records[:1]
        if "company_id" in records._fields:
            return records[:1].sudo().company_id
        return self.env["res.company"]
