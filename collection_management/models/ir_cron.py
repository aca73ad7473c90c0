from odoo import fields, models


class IrCron(models.Model):
    _inherit = "ir.cron"

    collection_company_id = fields.Many2one(
        "res.company",
        string="Collections company",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
        copy=False,
        help="The company whose collection job this is; it runs for that company only.",
    )
    collection_job = fields.Selection(
        [
            ("followup", "Follow-ups"),
            ("cases", "Cases"),
            ("promises", "Promises to pay"),
            ("charges", "Interest and fees"),
        ],
        readonly=True,
        copy=False,
    )

    _sql_constraints = [
        (
            "collection_company_job_unique",
            "UNIQUE(collection_company_id, collection_job)",
            "A company has one job of each kind.",
        ),
    ]
