from odoo import _, api, models
from odoo.exceptions import UserError

from .collection_case_legal import LEGAL_REQUEST_FIELDS

# fields only the collection process writes (besides the stored computes)
CASE_PROCESS_FIELDS = {
    "name",
    "partner_id",
    "company_id",
    "level_id",
    "invoice_ids",
    "followup_ids",
    "date_open",
    "date_closed",
    "close_reason",
    "close_note",
    "legal_date",
    *LEGAL_REQUEST_FIELDS,
}


class CollectionCase(models.Model):
    """Rights live where the data changes: every create and write of a case, from a
    form, a kanban drag or an RPC call, is checked here."""

    _inherit = "collection.case"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._collection_check_user_create(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._collection_check_user_write(vals)
        self._collection_check_legal_write(vals)
        return super().write(vals)

    @api.model
    def _collection_legal_fields(self):
        return {
            name
            for name in self._fields
            if name.startswith("legal_") and name not in LEGAL_REQUEST_FIELDS
        } | {"last_demand_date", "last_acknowledgement_date"}

    @api.model
    def _collection_check_user_create(self, vals):
        """A case made by hand starts open, for its customer and company, unassigned or
        for the collector who makes it (managers assign anyone)."""
        self._collection_refuse_process_fields(set(vals) - {"partner_id", "company_id"})
        if vals.get("stage_id"):
            self.browse()._collection_check_stage_write(vals["stage_id"])
        if vals.get("collector_id"):
            self.browse()._collection_check_collector_write(vals["collector_id"])

    @api.model
    def _collection_process_fields(self):
        """Fields that only the collection process writes: the amounts and dates it
        computes, the customer and company of the case, how and when it closed, and who
        asked for legal action. Users change them through the actions that check rights."""
        computed = {
            name
            for name, field in self._fields.items()
            if field.store and field.compute and not field.inverse
        }
        return computed | CASE_PROCESS_FIELDS

    def _collection_check_user_write(self, vals):
        """Rights live where the data changes: a plain write (form, kanban drag, RPC)
        cannot close, reopen or escalate a case, move its invoices to another customer,
        or overwrite what the process computes."""
        if self.env.su:
            return
        self._collection_refuse_process_fields(set(vals))
        if "stage_id" in vals:
            self._collection_check_stage_write(vals["stage_id"])
        if "collector_id" in vals:
            self._collection_check_collector_write(vals["collector_id"])
        if "active" in vals and not self._collection_is_manager():
            raise UserError(_("Only a collection manager can archive or restore a case."))

    def _collection_refuse_process_fields(self, names):
        forbidden = names & self._collection_process_fields()
        if forbidden:
            labels = sorted(self._fields[name]._description_string(self.env) for name in forbidden)
            raise UserError(
                _(
                    "These fields of a collection case are set by the collection process, "
                    "not by hand: %(fields)s.",
                    fields=", ".join(labels),
                )
            )

    def _collection_check_stage_write(self, stage_id):
        stage = self.env["collection.stage"].browse(stage_id)
        if stage.is_closed or stage.kind in ("closed", "returned"):
            raise UserError(
                _(
                    "A case is closed with the action Close, which records why; it cannot "
                    "be moved to the stage %(stage)s by hand.",
                    stage=stage.name,
                )
            )
        if stage.kind == "legal":
            raise UserError(
                _("A case goes to legal action through escalation, not by moving its stage.")
            )
        if self.filtered("is_closed"):
            raise UserError(_("A closed case is reopened with the action Reopen (managers)."))
        if self.filtered("legal_stage_id"):
            raise UserError(
                _("A case in legal action follows its legal stages; its stage cannot be moved.")
            )

    def _collection_check_collector_write(self, user_id):
        """Managers assign cases; a collector only takes an unassigned case for themself."""
        if self._collection_is_manager():
            return
        if user_id != self.env.uid or self.filtered("collector_id"):
            raise UserError(
                _(
                    "Only a collection manager assigns cases; a collector can take an "
                    "unassigned case for themself."
                )
            )

    def _collection_check_legal_write(self, vals):
        """Only legal officers and managers write the legal fields."""
        if self.env.su or not (set(vals) & self._collection_legal_fields()):
            return
        if not self.env.user.has_group("collection_management.group_collection_legal"):
            raise UserError(_("Only a legal officer or a manager can change the legal details."))
