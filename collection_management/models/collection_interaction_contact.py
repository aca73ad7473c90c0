from odoo import models


class CollectionInteraction(models.Model):
    """What a logged contact says about reaching the customer: two wrong contacts in a
    row mark the case as lost contact, a reached contact lifts the mark."""

    _inherit = "collection.interaction"

    def write(self, vals):
        res = super().write(vals)
        # a contact corrected afterwards (wrong number, in fact reached) counts as logged
        if {"outcome", "date", "case_id"} & set(vals):
            self.case_id._collection_update_lost_contact(self)
        return res

    def _collection_apply(self):
        res = super()._collection_apply()
        self.case_id._collection_update_lost_contact(self)
        return res
