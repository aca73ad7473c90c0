import re

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import html_translate

# what a script may say about the case; each is replaced by plain, escaped text
PLACEHOLDERS = (
    "customer",
    "contact",
    "overdue_amount",
    "open_amount",
    "oldest_invoice",
    "oldest_due_date",
    "days_overdue",
    "promised_date",
    "promised_amount",
    "collector",
    "company",
)
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")

SITUATIONS = [
    ("first_call", "First call"),
    ("promise_followup", "Promise follow-up"),
    ("broken_promise", "Broken promise"),
    ("refusal", "Refusal"),
    ("dispute", "Dispute"),
    ("final_warning", "Final warning"),
]


class CollectionScript(models.Model):
    """What a collector says on the phone in one situation of a case (话术): a text
    with placeholders that the contact log fills from the case, in the customer's
    language. The text is never evaluated: placeholders are replaced, nothing else."""

    _name = "collection.script"
    _description = "Call Script"
    _order = "situation, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to offer the script in every company.",
    )
    situation = fields.Selection(SITUATIONS, required=True, default="first_call", index=True)
    body = fields.Html(
        translate=html_translate,
        help="Placeholders between braces are filled from the case when the script is "
        "shown: {customer}, {contact}, {overdue_amount}, {open_amount}, {oldest_invoice}, "
        "{oldest_due_date}, {days_overdue}, {promised_date}, {promised_amount}, "
        "{collector}, {company}.",
    )

    @api.constrains("body", "name")
    def _check_placeholders(self):
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        for script in self:
            for lang in langs:
                body = script.with_context(lang=lang).body or ""
                unknown = sorted(set(PLACEHOLDER.findall(str(body))) - set(PLACEHOLDERS))
                if unknown:
                    raise ValidationError(
                        _(
                            "The call script %(script)s uses unknown placeholders: "
                            "%(unknown)s. Use only: %(known)s.",
                            script=script.name,
                            unknown=", ".join(f"{{{name}}}" for name in unknown),
                            known=", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                        )
                    )

    @api.model
    def _collection_find(self, situation, company):
        """The script of ``situation`` for ``company``: the company's own first, else
        one shared by all companies."""
        scripts = self.search(
            [("situation", "=", situation), ("company_id", "in", [company.id, False])]
        )
        return scripts.sorted(lambda s: (not s.company_id, s.sequence, s.id))[:1]

    def _collection_render(self, values, lang):
        """The body in ``lang`` with each known placeholder replaced by its value of
        ``values`` (plain text, escaped); an unknown placeholder stays as it is."""
        self.ensure_one()
        body = str(self.with_context(lang=lang).body or "")

        def fill(match):
            name = match.group(1)
            if name not in values:
                return match.group(0)
            return str(escape(values[name]))

        return Markup(PLACEHOLDER.sub(fill, body))
