from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collection_writeoff_account_id = fields.Many2one(
        related="company_id.collection_writeoff_account_id", readonly=False
    )
    collection_writeoff_journal_id = fields.Many2one(
        related="company_id.collection_writeoff_journal_id", readonly=False
    )
    collection_waiver_account_id = fields.Many2one(
        related="company_id.collection_waiver_account_id", readonly=False
    )
    collection_legal_cost_account_id = fields.Many2one(
        related="company_id.collection_legal_cost_account_id", readonly=False
    )
