from odoo import _, fields, models
from odoo.exceptions import UserError


class CollectionCase(models.Model):
    """Interest and fees of a case: shown in its letters, and the claim of a legal
    action, which fills itself with them (never above the policy's cap)."""

    _inherit = "collection.case"

    charge_ids = fields.One2many("collection.charge", "case_id", string="Interest and fees")
    charge_count = fields.Integer(compute="_compute_charge_count")

    def _compute_charge_count(self):
        counts = dict(
            self.env["collection.charge"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["__count"]
            )
        )
        for case in self:
            case.charge_count = counts.get(case, 0)

    def _collection_charge_summary(self, date=None):
        self.ensure_one()
        return (
            self.env["collection.charge"]
            .sudo()
            ._collection_summary(self.partner_id, self.company_id, date)
        )

    def _collection_charge_lines(self):
        """Interest and fees not invoiced yet, per currency, for the case's letters."""
        return [
            {
                "currency": f["currency"],
                "interest": f["accrued"] + f["interest_proposed"],
                "fees": f["fee_proposed"],
            }
            for f in self._collection_charge_summary().values()
            if not f["currency"].is_zero(f["due"])
        ]

    def _collection_claim_values(self, date=None, summary=None):
        """The interest and fees of the claim (company currency): everything accrued,
        proposed or invoiced and not waived, within the cap of the policy.
        ``summary``: the charges of many customers looked up at once."""
        self.ensure_one()
        date = date or fields.Date.context_today(self)
        if summary is None:
            summary = self._collection_charge_summary(date)
        interest = fees = 0.0
        for (partner, _currency), figures in summary.items():
            if partner != self.partner_id.commercial_partner_id:
                continue
            currency = figures["currency"]
            interest += currency._convert(
                figures["claim_interest"], self.currency_id, self.company_id, date
            )
            fees += currency._convert(
                figures["claim_fees"], self.currency_id, self.company_id, date
            )
        return {
            "legal_claim_interest": self.currency_id.round(interest),
            "legal_claim_fees": self.currency_id.round(fees),
        }

    def _collection_escalation_values(self, date):
        """The claim of each escalated case fills itself with its interest and fees,
        looked up per company for all the cases at once."""
        values = super()._collection_escalation_values(date)
        charges = self.env["collection.charge"].sudo()
        for company, cases in self.grouped("company_id").items():
            summary = charges._collection_summary(cases.partner_id, company, date)
            for case in cases:
                values.setdefault(case, {}).update(case._collection_claim_values(date, summary))
        return values

    def action_collection_update_claim(self):
        """The legal officer brings the claim's interest and fees up to date."""
        if not self.env.user.has_group("collection_management.group_collection_legal"):
            raise UserError(_("Only a legal officer or a manager updates the claim."))
        for case in self:
            if not case.legal_stage_id:
                raise UserError(
                    _("Case %(case)s is not in legal action: it has no claim.", case=case.name)
                )
            case.sudo().write(case._collection_claim_values())
        return True

    def action_collection_charges(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collection_management.collection_charge_action"
        )
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {}
        return action
