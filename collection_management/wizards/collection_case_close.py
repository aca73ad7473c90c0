from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

# closing reasons that book what the customer does not pay
WRITEOFF_REASONS = ("settled", "written_off")


class CollectionCaseClose(models.TransientModel):
    _name = "collection.case.close"
    _inherit = ["collection.case.wizard"]
    _description = "Close Collection Cases"

    close_reason = fields.Selection(
        [
            ("settled", "Settled"),
            ("written_off", "Written off"),
            ("returned", "Returned to sales"),
        ],
        required=True,
        default="settled",
    )
    note = fields.Text(required=True, help="Why the case closes: agreement, decision, ...")
    line_ids = fields.One2many(
        "collection.case.close.line",
        "wizard_id",
        string="Proposed write-off",
        help="What the entry writes off per invoice, in the invoice's currency: all it "
        "still owes when written off, the agreed discount of a settlement.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "line_ids" in fields_list and values.get("case_ids"):
            cases = self.env["collection.case"].browse(values["case_ids"][0][2])
            values["line_ids"] = [
                Command.create({"invoice_id": invoice.id, "amount": invoice.amount_residual})
                for invoice in cases.filtered(lambda c: not c.is_closed).invoice_ids.filtered(
                    lambda m: m.state == "posted" and not m.currency_id.is_zero(m.amount_residual)
                )
            ]
        return values

    def action_close(self):
        self.ensure_one()
        if not self.env.user.has_group("collection_management.group_collection_manager"):
            raise UserError(_("Only a collection manager can close a case by hand."))
        cases = self.case_ids.filtered(lambda c: not c.is_closed)
        if not cases:
            raise UserError(_("These cases are closed already."))
        amounts = self._writeoff_amounts(cases)
        # settings first: nothing closes when the entry cannot be made
        for case, invoices in amounts.items():
            if any(not inv.currency_id.is_zero(amount) for inv, amount in invoices.items()):
                case.company_id._collection_book_account("collection_writeoff_account_id")
                case.company_id._collection_writeoff_journal()
        cases._collection_close(self.close_reason, self.note)
        for case in cases:
            case._collection_writeoff(amounts.get(case, {}), self._reason_label(case))
            case.message_post(body=case._collection_text(self._closed_text))
        return {"type": "ir.actions.act_window_close"}

    def _writeoff_amounts(self, cases):
        """Per case, invoice -> amount to write off (invoice currency): everything still
        owed when written off, the proposed lines of a settlement."""
        if self.close_reason not in WRITEOFF_REASONS:
            return {}
        result = {case: {} for case in cases}
        if self.close_reason == "written_off":
            for case in cases:
                for invoice in case.invoice_ids.filtered(lambda m: m.state == "posted"):
                    result[case][invoice] = invoice.amount_residual
            return result
        for line in self.line_ids:
            case = line.invoice_id.collection_case_id
            if case not in result or line.invoice_id in result[case]:
                raise UserError(
                    _(
                        "The proposed write-off lists %(invoice)s, which is not an open "
                        "invoice of these cases or is listed twice.",
                        invoice=line.invoice_id.display_name,
                    )
                )
            result[case][line.invoice_id] = line.amount
        return result

    def _reason_label(self, case):
        labels = dict(self._fields["close_reason"]._description_selection(case.env))
        return labels[self.close_reason]

    def _closed_text(self, case):
        """The closing note, in the language of the case's chatter (``case.env``)."""
        text = case.env._(
            "Case closed (%(reason)s) by %(user)s: %(note)s",
            reason=self._reason_label(case),
            user=self.env.user.name,
            note=self.note,
        )
        if case.writeoff_move_id and not case.writeoff_reversal_move_id:
            text += " " + case.env._(
                "Write-off entry %(move)s posted: %(amount)s.",
                move=case.writeoff_move_id.name,
                amount=case.currency_id.format(abs(case.writeoff_move_id.amount_total_signed)),
            )
        return text


class CollectionCaseCloseLine(models.TransientModel):
    _name = "collection.case.close.line"
    _inherit = ["collection.values.mixin"]
    _description = "Proposed Write-off of an Invoice"

    wizard_id = fields.Many2one("collection.case.close", required=True, ondelete="cascade")
    invoice_id = fields.Many2one("account.move", required=True)
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    amount_residual = fields.Monetary(related="invoice_id.amount_residual", string="Still owed")
    amount = fields.Monetary(string="Write off")
