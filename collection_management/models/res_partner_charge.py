from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _collection_charge_lines(self, company, date=None):
        """Interest and fees of this customer in ``company`` not invoiced yet, per
        currency, for the statement of account."""
        self.ensure_one()
        summary = (
            self.env["collection.charge"]
            .sudo()
            ._collection_summary(self.commercial_partner_id, company, date)
        )
        return [
            {
                "currency": f["currency"],
                "interest": f["accrued"] + f["interest_proposed"],
                "fees": f["fee_proposed"],
            }
            for f in summary.values()
            if not f["currency"].is_zero(f["due"])
        ]
