from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# company setting -> what it is for, in the messages of missing settings
BOOK_ACCOUNTS = (
    "collection_writeoff_account_id",
    "collection_waiver_account_id",
    "collection_legal_cost_account_id",
)


class ResCompany(models.Model):
    """The accounts and journal the collection process books with: write-offs and
    settlement discounts, waivers and discounts (credit notes), legal costs."""

    _inherit = "res.company"

    collection_writeoff_account_id = fields.Many2one(
        "account.account",
        string="Write-off account",
        domain="[('account_type', 'not in', ('asset_receivable', 'liability_payable')), "
        "('deprecated', '=', False)]",
        help="Bad debts (坏账): the residuals of cases closed as written off, and the "
        "discount of settled cases, are booked to this account.",
    )
    collection_writeoff_journal_id = fields.Many2one(
        "account.journal",
        string="Write-off journal",
        domain="[('type', '=', 'general')]",
        help="Miscellaneous journal of the write-off and settlement entries.",
    )
    collection_waiver_account_id = fields.Many2one(
        "account.account",
        string="Waiver and discount account",
        domain="[('account_type', 'not in', ('asset_receivable', 'liability_payable')), "
        "('deprecated', '=', False)]",
        help="Account of the credit notes made for approved waivers and discounts (减免/折让). "
        "Empty: the write-off account.",
    )
    collection_legal_cost_account_id = fields.Many2one(
        "account.account",
        string="Legal cost account",
        domain="[('account_type', 'not in', ('asset_receivable', 'liability_payable')), "
        "('deprecated', '=', False)]",
        help="Expense account of the vendor bills of lawyers and courts; the legal costs "
        "re-invoiced to the debtor are credited back to it.",
    )

    @api.constrains(*BOOK_ACCOUNTS, "collection_writeoff_journal_id")
    def _check_collection_books(self):
        for company in self:
            journal = company.collection_writeoff_journal_id
            if journal and (journal.company_id != company or journal.type != "general"):
                raise ValidationError(
                    _(
                        "The write-off journal must be a miscellaneous journal of %(company)s.",
                        company=company.name,
                    )
                )
            for name in BOOK_ACCOUNTS:
                account = company[name]
                if not account:
                    continue
                if company not in account.sudo().company_ids or account.account_type in (
                    "asset_receivable",
                    "liability_payable",
                ):
                    raise ValidationError(
                        _(
                            "%(setting)s: %(account)s is not an account of %(company)s that "
                            "can take write-offs or costs (not a receivable or payable).",
                            setting=company._fields[name]._description_string(self.env),
                            account=account.display_name,
                            company=company.name,
                        )
                    )

    def _collection_book_account(self, name):
        """The account of setting ``name``, or a clear error naming the missing setting."""
        self.ensure_one()
        account = self.sudo()[name]
        if name == "collection_waiver_account_id" and not account:
            account = self.sudo().collection_writeoff_account_id
        if not account:
            raise UserError(
                _(
                    "Set the %(setting)s of %(company)s first (Collections → Configuration → "
                    "Settings → Accounting).",
                    setting=self._fields[name]._description_string(self.env),
                    company=self.name,
                )
            )
        return account

    def _collection_writeoff_journal(self):
        self.ensure_one()
        journal = self.sudo().collection_writeoff_journal_id
        if not journal:
            raise UserError(
                _(
                    "Set the write-off journal of %(company)s first (Collections → "
                    "Configuration → Settings → Accounting).",
                    company=self.name,
                )
            )
        return journal
