from odoo import fields, models
from odoo.tools.misc import format_date, formatLang

# outcomes after which the next call meets a refusal
REFUSAL_OUTCOMES = ("refused", "stalling", "refused_to_pay", "deliberate_default")


class CollectionCase(models.Model):
    """Call scripts on a case: which situation the case is in, the values of the
    script's placeholders in the customer's language; who hears of a refusal to pay."""

    _inherit = "collection.case"

    def _collection_script_situation(self, exclude=None):
        """The situation of the case for the next call, the most pressing first.
        ``exclude``: a contact not to count (the one being logged)."""
        self.ensure_one()
        if self.disputed_count:
            return "dispute"
        promise = self.promise_ids.filtered(lambda p: p.state != "cancel").sorted(
            lambda p: (p.date, p.id)
        )[-1:]
        if promise.state == "broken":
            return "broken_promise"
        if promise.state == "open":
            return "promise_followup"
        if self.legal_stage_id or self.legal_request_user_id or self._collection_at_last_level():
            return "final_warning"
        contacts = (self.interaction_ids - (exclude or self.env["collection.interaction"])).sorted(
            lambda i: (i.date, i.id)
        )
        if contacts[-1:].outcome in REFUSAL_OUTCOMES:
            return "refusal"
        return "first_call"

    def _collection_at_last_level(self):
        level = self.level_id
        return bool(level) and level == level.policy_id.level_ids.sorted("sequence")[-1:]

    def _collection_customer_lang(self):
        """The language the customer is spoken to in: theirs, else the company's."""
        self.ensure_one()
        return self.partner_id.lang or self.company_id.partner_id.lang or "en_US"

    def _collection_script_values(self, contact=None):
        """Placeholder → text for the case's scripts, amounts and dates in the
        customer's language (company currency, as the case's amounts)."""
        self.ensure_one()
        env = self.with_context(lang=self._collection_customer_lang()).env
        currency = self.currency_id
        today = fields.Date.context_today(self)
        moves = self.env["account.move"].with_company(self.company_id)
        invoices = moves.search(
            [
                *moves._collection_open_invoice_domain(),
                ("commercial_partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
            ],
            order="invoice_date_due, id",
        )
        overdue = invoices.filtered(lambda m: m.invoice_date_due and m.invoice_date_due < today)
        oldest = overdue[:1]
        promise = self._collection_script_promise()

        def money(amount):
            return formatLang(env, amount, currency_obj=currency)

        def day(value):
            return format_date(env, value) if value else "—"

        return {
            "customer": self.partner_id.name or "",
            "contact": (contact or self.partner_id).name or "",
            "overdue_amount": money(sum(overdue.mapped("amount_residual_signed"))),
            "open_amount": money(sum(invoices.mapped("amount_residual_signed"))),
            "oldest_invoice": oldest.name or "—",
            "oldest_due_date": day(oldest.invoice_date_due),
            "days_overdue": str((today - oldest.invoice_date_due).days) if oldest else "0",
            "promised_date": day(promise.date_promised),
            "promised_amount": money(promise.amount) if promise else "—",
            "collector": (self.collector_id or self.env.user).name or "",
            "company": self.company_id.name or "",
        }

    def _collection_script_promise(self):
        """The promise a script talks about: the open one, else the last one made."""
        promises = self.promise_ids.filtered(lambda p: p.state != "cancel").sorted(
            lambda p: (p.date, p.id)
        )
        return promises.filtered(lambda p: p.state == "open")[-1:] or promises[-1:]

    def _collection_company_managers(self):
        """The active collection managers who work in the case's company."""
        self.ensure_one()
        managers = self.env.ref("collection_management.group_collection_manager").users
        return managers.filtered(
            lambda u: self.company_id in u.company_ids and u.active and not u.share
        )
