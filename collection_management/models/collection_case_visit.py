from odoo import _, api, fields, models


class CollectionCase(models.Model):
    """Visits to the customer of a case: planned from the case, counted on it."""

    _inherit = "collection.case"

    visit_ids = fields.One2many("collection.visit", "case_id", string="Visits")
    visit_count = fields.Integer(compute="_compute_visit_count")

    @api.depends("visit_ids")
    def _compute_visit_count(self):
        counts = dict(
            self.env["collection.visit"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["__count"]
            )
        )
        for case in self:
            case.visit_count = counts.get(case, 0)

    def action_plan_visit(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Plan a visit"),
            "res_model": "collection.visit",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_case_id": self.id,
                "default_user_id": (self.collector_id or self.env.user).id,
            },
        }

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collection_management.collection_visit_action"
        )
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {
            "default_case_id": self.id,
            "default_user_id": (self.collector_id or self.env.user).id,
        }
        return action
