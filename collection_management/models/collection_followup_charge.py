from odoo import fields, models


class CollectionFollowup(models.Model):
    """Fees and interest of a follow-up: the fee of its level is proposed when it is
    sent (before its email is written, so that the email shows it), and its email
    shows the interest and fees not invoiced yet."""

    _inherit = "collection.followup"

    def _collection_send_email(self):
        self.sudo()._collection_propose_fees()
        return super()._collection_send_email()

    def _collection_execute(self, mails=None):
        result = super()._collection_execute(mails=mails)
        self.sudo().filtered(lambda f: f.state == "done")._collection_propose_fees()
        return result

    def _collection_has_fee(self):
        self.ensure_one()
        return bool(self.level_id.fee_amount or self.level_id.fee_percent)

    def _collection_fee_values(self, lookup=None):
        """The fee charge of this follow-up (None when the cap leaves nothing): in the
        invoices' currency when they share one, else in the company's. ``lookup``:
        the figures of a batch of follow-ups (see ``_collection_fee_lookup``)."""
        self.ensure_one()
        company, level = self.company_id, self.level_id
        lookup = lookup or self._collection_fee_lookup()
        currency = self.invoice_ids.currency_id
        if len(currency) == 1 and currency != company.currency_id:
            overdue = sum(self.invoice_ids.mapped("amount_residual"))
            fixed = company.currency_id._convert(level.fee_amount, currency, company, self.date)
            fee = currency.round(max(overdue * level.fee_percent / 100, fixed))
        else:
            currency = company.currency_id
            fee = level._collection_fee(self.amount_due)
        figures = lookup["summary"].get((self.partner_id, currency))
        policy = lookup["policies"][self.partner_id]
        if figures and figures["cap"] is not None:
            # the fee comes after what is already charged and accrued
            taken = figures["due"] + figures["interest_invoiced"] + figures["fee_invoiced"]
            fee = min(fee, max(self._collection_fee_cap(figures, policy) - taken, 0.0))
        elif not figures and policy.interest_cap_percent:
            fee = 0.0  # nothing overdue in this currency: the cap on no principal is zero
        if currency.compare_amounts(fee, 0) <= 0:
            return None
        case = lookup["cases"].get(self.partner_id)
        return {
            "partner_id": self.partner_id.id,
            "company_id": company.id,
            "case_id": case.id if case else False,
            "kind": "fee",
            "date": self.date,
            "currency_id": currency.id,
            "amount": fee,
            "amount_proposed": fee,
            "invoice_ids": [fields.Command.set(self.invoice_ids.ids)],
            "followup_id": self.id,
        }

    def _collection_fee_lookup(self):
        """What the fees of these follow-ups (one company and date) are measured
        against, looked up for all their customers at once: interest and fees charged
        and the cap of each customer and currency, policies, open cases."""
        company, date = self.company_id, self[:1].date
        partners = self.partner_id
        charges = self.env["collection.charge"]
        return {
            "summary": charges._collection_summary(partners, company, date, keep_empty=True),
            "policies": charges._collection_policies(partners, company),
            "cases": charges._collection_open_cases(partners, company),
        }

    def _collection_fee_recorded(self, lookup, vals):
        """Count the fee ``vals`` of this follow-up in ``lookup``: a later follow-up of
        the same customer in the batch is capped after it."""
        currency = self.env["res.currency"].browse(vals["currency_id"])
        figures = lookup["summary"].get((self.partner_id, currency))
        if not figures:
            return
        for key in ("fee_proposed", "due", "claim_fees"):
            figures[key] += vals["amount"]
        added = self.invoice_ids - figures["charged_invoices"] - figures["basis"]
        figures["principal"] += sum(added.mapped("amount_total"))
        figures["charged_invoices"] |= self.invoice_ids

    def _collection_fee_cap(self, figures, policy):
        """The cap on the principal that stays counted once the fee is charged: the
        invoices charged before and those of this follow-up. Other overdue invoices
        (disputed, excluded, not at this level) leave the principal once paid: capped
        on them, the fee would exceed the cap then."""
        unrecorded = figures["basis"] - self.invoice_ids - figures["charged_invoices"]
        principal = figures["principal"] - sum(
            figures["basis_amounts"][invoice] for invoice in unrecorded
        )
        return figures["currency"].round(principal * policy.interest_cap_percent / 100)

    def _collection_propose_fees(self):
        """Propose the fee of each of these follow-ups whose level charges one, once;
        the figures they are capped on are looked up per company and date."""
        followups = self.filtered(lambda f: f._collection_has_fee())
        charges = self.env["collection.charge"].sudo()
        done = charges.search(
            [("followup_id", "in", followups.ids), ("kind", "=", "fee")]
        ).followup_id
        vals_list = []
        for group in (followups - done).grouped(lambda f: (f.company_id, f.date)).values():
            lookup = group._collection_fee_lookup()
            for followup in group.sorted("id"):
                vals = followup._collection_fee_values(lookup)
                if vals:
                    followup._collection_fee_recorded(lookup, vals)
                    vals_list.append(vals)
        return charges.create(vals_list) if vals_list else charges

    def _collection_fee_proposed(self):
        """Whether the fee of this follow-up is proposed already."""
        self.ensure_one()
        return bool(
            self.env["collection.charge"]
            .sudo()
            .search_count([("followup_id", "=", self.id), ("kind", "=", "fee")])
        )

    def _collection_charge_lines(self):
        """Interest and fees to show under the invoices of the email, per currency:
        what is accrued or proposed and not invoiced yet, with the fee of this
        follow-up when it is not proposed yet (an email being previewed)."""
        self.ensure_one()
        summary = (
            self.env["collection.charge"]
            .sudo()
            ._collection_summary(self.partner_id, self.company_id, self.date)
        )
        lines = {
            currency: {
                "currency": currency,
                "interest": f["accrued"] + f["interest_proposed"],
                "fees": f["fee_proposed"],
            }
            for (_partner, currency), f in summary.items()
        }
        proposed = self._collection_fee_proposed()
        if self._collection_has_fee() and not proposed and self.state == "draft":
            vals = self.sudo()._collection_fee_values()
            if vals:
                currency = self.env["res.currency"].browse(vals["currency_id"])
                line = lines.setdefault(
                    currency, {"currency": currency, "interest": 0.0, "fees": 0.0}
                )
                line["fees"] += vals["amount"]
        return [
            line
            for line in lines.values()
            if not line["currency"].is_zero(line["interest"] + line["fees"])
        ]
