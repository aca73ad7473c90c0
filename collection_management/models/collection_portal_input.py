"""What the customer types on their collection page, checked before anything is
recorded: text, amounts and dates as typed, record ids, uploaded files. Each refusal is a
translated message shown on the form."""

import math

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date

FILES_MAX = 3
FILE_BYTES_MAX = 10 * 1024 * 1024


class CollectionPortal(models.AbstractModel):
    _inherit = "collection.portal"

    @api.model
    def _collection_clean(self, value, size, what, required=False):
        """Text typed by the customer, stripped; refused when too long or missing."""
        if value is not None and not isinstance(value, str):
            raise ValidationError(_("Please check %(what)s.", what=what))
        value = (value or "").strip()
        if required and not value:
            raise ValidationError(_("Please enter %(what)s.", what=what))
        if len(value) > size:
            raise ValidationError(
                _("Please shorten %(what)s to %(size)s characters.", what=what, size=size)
            )
        return value

    @api.model
    def _collection_instalments(self, company, amounts, dates):
        """[(amount, date)] sorted by date from the typed rows, each checked."""
        rows = [
            (str(amount or "").strip(), str(date or "").strip())
            for amount, date in zip(amounts or [], dates or [], strict=False)
        ]
        rows = [row for row in rows if any(row)]
        if not rows:
            raise ValidationError(_("Please enter the amount and the date you will pay."))
        most = company.collection_portal_max_instalments or 1
        if len(rows) > most:
            raise ValidationError(_("You can promise at most %(count)s instalments.", count=most))
        today = fields.Date.context_today(self)
        latest = fields.Date.add(today, days=company.collection_promise_max_days)
        instalments = []
        for amount_text, date_text in rows:
            amount = self._collection_amount(amount_text, company.currency_id)
            try:
                date = fields.Date.to_date(date_text)
            except (TypeError, ValueError):
                date = None
            if not date:
                raise ValidationError(_("Please enter each date as YYYY-MM-DD."))
            if date < today or date > latest:
                raise ValidationError(
                    _(
                        "Each date must lie between today and %(latest)s.",
                        latest=format_date(self.env, latest),
                    )
                )
            instalments.append((amount, date))
        instalments.sort(key=lambda row: row[1])
        if len({date for _amount, date in instalments}) < len(instalments):
            raise ValidationError(_("Please choose a different date for each instalment."))
        return instalments

    @api.model
    def _collection_amount(self, text, currency):
        try:
            amount = float(text.replace(",", ""))
        except ValueError:
            amount = math.nan
        if not math.isfinite(amount) or currency.compare_amounts(amount, 0) <= 0:
            raise ValidationError(_("Each amount must be a positive number."))
        return currency.round(amount)

    @api.model
    def _collection_record(self, model, ident, message):
        """The record ``ident`` (typed as text) of ``model``, active, else ``message``."""
        try:
            record = self.env[model].sudo().browse(int(ident)).exists()
        except (TypeError, ValueError):
            record = None
        if not record or ("active" in record._fields and not record.active):
            raise ValidationError(message)
        return record

    @api.model
    def _collection_own_invoice(self, partner, ident):
        invoice = self._collection_record(
            "account.move", ident, _("This invoice is not one of your open invoices.")
        )
        if not invoice.filtered_domain(
            [*invoice._collection_open_invoice_domain(), ("commercial_partner_id", "=", partner.id)]
        ):
            raise ValidationError(_("This invoice is not one of your open invoices."))
        return invoice

    @api.model
    def _collection_files(self, files):
        files = [file for file in files or () if file[1]]
        if len(files) > FILES_MAX:
            raise ValidationError(_("Please attach at most %(count)s files.", count=FILES_MAX))
        for name, content, _mimetype in files:
            if len(content) > FILE_BYTES_MAX:
                raise ValidationError(_("File %(name)s is larger than 10 MB.", name=name))
        return files
