from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CollectionCaseRecordMixin(models.AbstractModel):
    """A record that belongs to a customer, and usually to one of its cases: contacts
    and promises. Customer and company follow the case."""

    _name = "collection.case.record.mixin"
    _inherit = ["collection.values.mixin"]
    _description = "Record of a Collection Case"
    _check_company_auto = True

    case_id = fields.Many2one("collection.case", index=True, ondelete="cascade", check_company=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        compute="_compute_from_case",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_from_case",
        store=True,
        readonly=False,
        precompute=True,
    )

    @api.depends("case_id")
    def _compute_from_case(self):
        for record in self:
            if record.case_id:
                record.partner_id = record.case_id.partner_id
                record.company_id = record.case_id.company_id
            elif not record.company_id:
                record.company_id = self.env.company

    @api.constrains("case_id", "partner_id")
    def _check_customer_of_case(self):
        for record in self:
            if record.case_id and record.partner_id != record.case_id.partner_id:
                raise ValidationError(
                    _(
                        "%(record)s: the customer must be the customer of its case "
                        "%(case)s (%(partner)s).",
                        record=record.display_name,
                        case=record.case_id.display_name,
                        partner=record.case_id.partner_id.display_name,
                    )
                )
