from odoo import api, fields, models
from odoo.tools.sql import column_exists, create_column, table_exists

from .collection_script import PLACEHOLDERS, SITUATIONS


class CollectionInteraction(models.Model):
    """The call script shown while a contact is logged: the one of the case's
    situation, which the collector may change, filled in the customer's language."""

    _inherit = "collection.interaction"

    script_situation = fields.Selection(
        SITUATIONS,
        string="Situation",
        compute="_compute_script_situation",
        store=True,
        readonly=False,
        precompute=True,
        help="Situation of the case when the contact was logged; choose another one to "
        "see its script.",
    )
    script_id = fields.Many2one(
        "collection.script",
        string="Call script",
        compute="_compute_script_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('company_id', 'in', [company_id, False])]",
    )
    script_body = fields.Html(
        string="Script",
        compute="_compute_script_body",
        help="The script with the case's figures, in the customer's language.",
    )

    def _auto_init(self):
        # contacts logged before call scripts existed were made without one: the
        # columns are added empty rather than computed over the whole history
        cr = self.env.cr
        if table_exists(cr, self._table) and not column_exists(cr, self._table, "script_situation"):
            create_column(cr, self._table, "script_situation", "varchar")
            create_column(cr, self._table, "script_id", "int4")
        return super()._auto_init()

    @api.depends("case_id")
    def _compute_script_situation(self):
        for interaction in self:
            case = interaction.case_id
            interaction.script_situation = (
                case._collection_script_situation(exclude=interaction._origin)
                if case
                else "first_call"
            )

    @api.depends("script_situation", "company_id")
    def _compute_script_id(self):
        scripts = self.env["collection.script"]
        for interaction in self:
            interaction.script_id = (
                scripts._collection_find(
                    interaction.script_situation, interaction.company_id or self.env.company
                )
                if interaction.script_situation
                else False
            )

    @api.depends("script_id", "case_id", "contact_id", "partner_id")
    @api.depends_context("lang")
    def _compute_script_body(self):
        for interaction in self:
            script = interaction.script_id
            case = interaction.case_id
            if not script:
                interaction.script_body = False
            elif case:
                interaction.script_body = script._collection_render(
                    case._collection_script_values(interaction.contact_id),
                    case._collection_customer_lang(),
                )
            else:
                interaction.script_body = script._collection_render(
                    interaction._collection_script_partner_values(),
                    interaction.partner_id.lang or self.env.lang,
                )

    def _collection_script_partner_values(self):
        """Without a case, a script knows only who is talking to whom."""
        self.ensure_one()
        return {
            **dict.fromkeys(PLACEHOLDERS, "—"),
            "customer": self.partner_id.name or "",
            "contact": (self.contact_id or self.partner_id).name or "",
            "collector": (self.user_id or self.env.user).name or "",
            "company": self.company_id.name or "",
        }
