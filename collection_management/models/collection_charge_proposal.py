from datetime import timedelta

from odoo import _, api, fields, models

# fees of follow-ups sent this many days ago are still proposed by the daily job
FEE_LOOKBACK_DAYS = 60


class CollectionCharge(models.Model):
    """The daily job that proposes charges: interest accrued since each customer's last
    charge once the policy's period has passed, and the fee of each follow-up sent at a
    level with a fee. Each period and each follow-up is proposed once (unique indexes
    back this up against a concurrent run)."""

    _inherit = "collection.charge"

    @api.model
    def _cron_collection_charges(self, company_id=None):
        """Propose, per company, the fees of the follow-ups sent and the interest due;
        each follow-up and each customer's interest in a savepoint of its own. The job
        of a company (``company_id``) proposes that company's charges only, in its
        context."""
        job = self.env["collection.job"]
        companies = job._collection_job_companies(company_id)
        if company_id and companies:
            self = companies._collection_job_env(self)  # noqa: PLW0642
        today = fields.Date.context_today(self)
        name = _("Collections: propose late interest and fees")
        proposed = self.browse()

        def propose_fee(followup):
            nonlocal proposed
            proposed |= followup._collection_propose_fees()

        def propose_interest(vals):
            nonlocal proposed
            company = self.env["res.company"].browse(vals["company_id"])
            proposed |= self.sudo().with_company(company).create(vals)

        for company in companies:
            charges = self.sudo().with_company(company)
            job._collection_isolated(
                name, charges._collection_fee_candidates(company, today), propose_fee
            )
            job._collection_isolated(
                name, charges._collection_interest_proposals(company, today), propose_interest
            )
        self.env["ir.cron"]._notify_progress(done=len(proposed), remaining=0)
        return proposed

    @api.model
    def _collection_fee_candidates(self, company, date):
        """Follow-ups sent recently at a level with a fee and without their fee yet."""
        followups = (
            self.env["collection.followup"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "done"),
                    ("date", "<=", date),
                    ("date", ">=", date - timedelta(days=FEE_LOOKBACK_DAYS)),
                    "|",
                    ("level_id.fee_amount", ">", 0),
                    ("level_id.fee_percent", ">", 0),
                ]
            )
        )
        charged = (
            self.sudo()
            .search([("followup_id", "in", followups.ids), ("kind", "=", "fee")])
            .followup_id
        )
        return followups - charged

    @api.model
    def _collection_interest_proposals(self, company, date):
        """Values of the interest charges due in ``company`` on ``date``: per customer
        and currency, the interest accrued since the last charge (capped), once the
        policy's period has passed since that charge (or since the interest began)."""
        moves = self.env["account.move"]
        partners = self.env["res.partner"].concat(
            *(
                partner
                for (partner,) in moves._read_group(
                    [
                        ("company_id", "=", company.id),
                        ("move_type", "=", "out_invoice"),
                        ("state", "=", "posted"),
                        ("invoice_date_due", "<", date),
                    ],
                    ["commercial_partner_id"],
                )
            )
        )
        policies = self._collection_policies(partners, company)
        partners = partners.filtered(lambda p: policies[p] and policies[p].interest_rate > 0)
        if not partners:
            return []
        last = self._collection_last_interest_dates(partners, company, date)
        summary = self._collection_summary(partners, company, date)
        cases = self._collection_open_cases(partners, company)
        vals_list = []
        for (partner, currency), figures in summary.items():
            policy = policies[partner]
            amount = figures["accrued"]
            invoices = figures["invoices"]
            if currency.compare_amounts(amount, 0) <= 0 or not invoices:
                continue
            began = last.get(partner) or (
                min(invoices.mapped("invoice_date_due"))
                + timedelta(days=policy.interest_grace_days)
            )
            if (date - began).days < policy.interest_period_days:
                continue
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "case_id": cases.get(partner, self.env["collection.case"]).id,
                    "kind": "interest",
                    "date": date,
                    "date_from": last.get(partner, False),
                    "currency_id": currency.id,
                    "amount": amount,
                    "amount_proposed": amount,
                    # every invoice of the principal that capped it: the principal
                    # of later caps counts them even once they are paid
                    "invoice_ids": [fields.Command.set((invoices | figures["basis"]).ids)],
                }
            )
        return vals_list

    @api.model
    def _collection_open_cases(self, partners, company):
        cases = (
            self.env["collection.case"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "=", company.id),
                    ("is_closed", "=", False),
                ]
            )
        )
        return {case.partner_id: case for case in cases}
