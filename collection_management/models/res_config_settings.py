from odoo import api, fields, models

from .collection_values import check_numbers
from .res_company import _collection_settings


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collection_policy_id = fields.Many2one(
        related="company_id.collection_policy_id", readonly=False
    )
    collection_limitation_years = fields.Integer(
        related="company_id.collection_limitation_years", readonly=False
    )
    collection_case_min_amount = fields.Monetary(
        related="company_id.collection_case_min_amount", readonly=False
    )
    collection_case_min_days = fields.Integer(
        related="company_id.collection_case_min_days", readonly=False
    )
    collection_background_run_threshold = fields.Integer(
        related="company_id.collection_background_run_threshold", readonly=False
    )
    collection_promise_grace_days = fields.Integer(
        related="company_id.collection_promise_grace_days", readonly=False
    )
    collection_promise_max_days = fields.Integer(
        related="company_id.collection_promise_max_days", readonly=False
    )
    collection_portal_token_days = fields.Integer(
        related="company_id.collection_portal_token_days", readonly=False
    )
    collection_portal_max_instalments = fields.Integer(
        related="company_id.collection_portal_max_instalments", readonly=False
    )
    collection_block_held_invoices = fields.Boolean(
        related="company_id.collection_block_held_invoices", readonly=False
    )
    collection_demand_days = fields.Integer(
        related="company_id.collection_demand_days", readonly=False
    )
    collection_weekly_report_day = fields.Selection(
        related="company_id.collection_weekly_report_day", readonly=False
    )
    collection_weekly_report_user_ids = fields.Many2many(
        related="company_id.collection_weekly_report_user_ids", readonly=False
    )
    collection_cron_ids = fields.One2many(
        related="company_id.collection_cron_ids", string="Daily jobs", groups="base.group_system"
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_numbers(self, [_collection_settings(vals) for vals in vals_list])
        return super().create(vals_list)

    def write(self, vals):
        check_numbers(self, [_collection_settings(vals)])
        return super().write(vals)
