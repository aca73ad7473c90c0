"""Write-off and settlement entries of a case: closing a case as written off or settled
books what the customer will not pay to the company's write-off account, reconciled
with the invoices; reopening the case reverses that entry."""

from odoo import Command, _, fields, models
from odoo.exceptions import UserError


class CollectionCase(models.Model):
    _inherit = "collection.case"

    writeoff_move_id = fields.Many2one(
        "account.move",
        string="Write-off entry",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The entry that wrote off what the customer does not pay (written off, or the "
        "discount of a settlement).",
    )
    writeoff_reversal_move_id = fields.Many2one(
        "account.move",
        string="Write-off reversal",
        readonly=True,
        copy=False,
        help="The reversal of the write-off entry, made when the case was reopened.",
    )
    waiver_ids = fields.One2many("collection.waiver", "case_id", string="Waivers and discounts")

    def _collection_process_fields(self):
        return super()._collection_process_fields() | {
            "writeoff_move_id",
            "writeoff_reversal_move_id",
            "waiver_ids",
        }

    def _collection_ask_managers(self, text):
        """Post ``text`` (a function of the case) on the case to the collection managers
        of its company: a request that waits for their approval."""
        managers = self.env.ref("collection_management.group_collection_manager").users
        for case in self:
            approvers = managers.filtered(
                lambda u, case=case: case.company_id in u.company_ids and u.active and not u.share
            )
            case.message_post(
                body=case._collection_text(text),
                partner_ids=approvers.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )

    def _collection_check_manager(self, message):
        if not self.env.su and not self._collection_is_manager():
            raise UserError(message)

    def _collection_writeoff(self, amounts, reason):
        """Post the entry writing off ``amounts`` (invoice -> amount in the invoice's
        currency) to the company's write-off account, reconcile it with the invoices and
        link it to the case. A manager's decision: checked here, whoever calls."""
        self.ensure_one()
        self._collection_check_manager(_("Only a collection manager can write off invoices."))
        amounts = {inv: amt for inv, amt in amounts.items() if not inv.currency_id.is_zero(amt)}
        if not amounts:
            return self.env["account.move"]
        company = self.company_id
        account = company._collection_book_account("collection_writeoff_account_id")
        journal = company._collection_writeoff_journal()
        self._collection_check_writeoff_amounts(amounts)
        currencies = {invoice.currency_id for invoice in amounts}
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": fields.Date.context_today(self),
                    "ref": _("%(case)s: %(reason)s", case=self.name, reason=reason),
                    "partner_id": self.partner_id.id,
                    "currency_id": (
                        currencies.pop() if len(currencies) == 1 else company.currency_id
                    ).id,
                    "line_ids": [
                        Command.create(values)
                        for invoice, amount in amounts.items()
                        for values in self._collection_writeoff_lines(invoice, amount, account)
                    ],
                }
            )
        )
        # linked before reconciling: the case's amounts count what it settles as not money
        self.sudo().write({"writeoff_move_id": move.id, "writeoff_reversal_move_id": False})
        self.env.flush_all()
        move.action_post()
        self._collection_reconcile_writeoff(move, amounts)
        return move

    def _collection_check_writeoff_amounts(self, amounts):
        for invoice, amount in amounts.items():
            if invoice.collection_case_id != self or invoice.state != "posted":
                raise UserError(
                    _(
                        "%(invoice)s is not a posted invoice of the case %(case)s.",
                        invoice=invoice.display_name,
                        case=self.name,
                    )
                )
            if (
                invoice.currency_id.compare_amounts(amount, 0) < 0
                or invoice.currency_id.compare_amounts(amount, invoice.amount_residual) > 0
            ):
                raise UserError(
                    _(
                        "The amount written off %(invoice)s must lie between 0 and what it "
                        "still owes (%(residual)s).",
                        invoice=invoice.display_name,
                        residual=invoice.currency_id.format(invoice.amount_residual),
                    )
                )

    def _collection_writeoff_lines(self, invoice, amount, account):
        """The two lines writing ``amount`` of ``invoice`` off, in the invoice's currency;
        the company-currency value is the same part of the invoice's residual, so that no
        exchange difference arises from the write-off itself."""
        if invoice.currency_id.compare_amounts(amount, invoice.amount_residual) == 0:
            balance = invoice.amount_residual_signed
        else:
            balance = self.currency_id.round(
                invoice.amount_residual_signed * amount / invoice.amount_residual
            )
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )[:1].account_id
        common = {
            "partner_id": invoice.commercial_partner_id.id,
            "currency_id": invoice.currency_id.id,
            "name": _("Write-off of %(invoice)s", invoice=invoice.name),
        }
        return [
            {
                **common,
                "account_id": receivable.id,
                "amount_currency": -amount,
                "balance": -balance,
            },
            {**common, "account_id": account.id, "amount_currency": amount, "balance": balance},
        ]

    def _collection_reconcile_writeoff(self, move, amounts):
        # the lines were made two per invoice, in the order of ``amounts``
        lines = move.line_ids.sorted("id")
        for index, invoice in enumerate(amounts):
            (invoice.sudo().line_ids | lines[2 * index]).filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable" and not line.reconciled
                )
            ).reconcile()

    def _collection_reverse_writeoff(self):
        """Reverse the write-off entries of reopened cases: their invoices owe again what
        the entry cleared; the reversal is linked to the case and noted in its chatter."""
        for case in self.filtered(
            lambda c: c.writeoff_move_id.state == "posted" and not c.writeoff_reversal_move_id
        ):
            move = case.writeoff_move_id.sudo()
            # reversed in the books already (by an accountant): that reversal is linked
            reversal = move.reversal_move_ids.filtered(lambda m: m.state == "posted")[
                :1
            ] or move._reverse_moves(
                [
                    {
                        "date": fields.Date.context_today(case),
                        "ref": _("Reversal of %(move)s: case reopened", move=move.name),
                    }
                ],
                cancel=True,
            )
            case.sudo().write({"writeoff_reversal_move_id": reversal.id})
            case.message_post(
                body=case._collection_text(
                    lambda c, move=move, reversal=reversal: c.env._(
                        "Case reopened: the write-off entry %(move)s is reversed by "
                        "%(reversal)s; its invoices owe their residual again.",
                        move=move.name,
                        reversal=reversal.name,
                    )
                )
            )

    def action_reopen(self):
        result = super().action_reopen()
        self._collection_reverse_writeoff()
        return result

    def action_new_waiver(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Waiver or discount"),
            "res_model": "collection.waiver",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_case_id": self.id,
                "default_invoice_ids": [
                    Command.set(
                        self.invoice_ids.filtered(
                            lambda m: (
                                m.state == "posted" and not m.currency_id.is_zero(m.amount_residual)
                            )
                        ).ids
                    )
                ],
            },
        }
