from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Follow-up policy",
        company_dependent=True,
        domain="[('company_id', 'in', (False, current_company_id))]",
        help="Overrides the company's default follow-up policy for this customer.",
    )
    collector_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        domain="[('share', '=', False)]",
        help="Collector in charge of this customer in the current company.",
    )

    def _collection_policy(self, company):
        """The follow-up policy that applies to this (commercial) partner in ``company``."""
        self.ensure_one()
        partner = self.with_company(company)
        return partner.collection_policy_id or company.collection_policy_id
