from odoo import fields, models


class CollectionVisitMaterial(models.Model):
    """Something a collector brings to a visit (statement, invoices, contract, the
    acknowledgement form): named in every language, since the visit sheet lists it in
    the customer's."""

    _name = "collection.visit.material"
    _inherit = ["collection.values.mixin"]
    _collection_named = True
    _description = "Visit Material"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Offered in this company only; empty: in every company."
    )
    default_selected = fields.Boolean(
        string="Brought by default", default=True, help="Ticked on every new visit."
    )
