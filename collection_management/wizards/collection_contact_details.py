"""New contact details of a customer, found while tracing it, recorded with their source.

Either as a new contact person (or address) under the customer, the customer's own
details left as they are, or in place of the customer's own details; either way a note
on the customer and on the case states the source, the date and the old values."""

import re

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

# digits, separators, a leading + and an extension (x, ext, 转)
PHONE = re.compile(r"^\+?[0-9 ()./,;-]*(?:(?:x|ext\.?|转)\s*[0-9]+)?$", re.IGNORECASE)
PHONE_DIGITS_MIN = 3
LENGTHS = {
    "name": 128,
    "function": 128,
    "phone": 40,
    "mobile": 40,
    "email": 254,
    "street": 256,
    "street2": 256,
    "zip": 24,
    "city": 128,
    "note": 2000,
}
DETAIL_FIELDS = (
    "phone",
    "mobile",
    "email",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "country_id",
)
ADDRESS_FIELDS = ("street", "street2", "zip", "city", "state_id", "country_id")


class CollectionContactDetails(models.TransientModel):
    _name = "collection.contact.details"
    _description = "New Contact Details of a Customer"

    case_id = fields.Many2one("collection.case", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="case_id.company_id")
    partner_id = fields.Many2one(related="case_id.partner_id", string="Customer")
    record_as = fields.Selection(
        [
            ("contact", "A new contact person or address of the customer"),
            ("customer", "The customer's own details (they replace the current ones)"),
        ],
        required=True,
        default="contact",
    )
    name = fields.Char(string="Contact name")
    function = fields.Char(string="Job position")
    phone = fields.Char()
    mobile = fields.Char()
    email = fields.Char()
    street = fields.Char()
    street2 = fields.Char()
    zip = fields.Char()
    city = fields.Char()
    state_id = fields.Many2one("res.country.state", domain="[('country_id', '=?', country_id)]")
    country_id = fields.Many2one("res.country")
    source = fields.Selection(
        [
            ("business_registry", "Business registry"),
            ("sales", "Sales person"),
            ("court", "Court or enforcement records"),
            ("customer", "The customer"),
            ("other", "Other"),
        ],
        required=True,
        default="business_registry",
    )
    source_date = fields.Date(
        string="Obtained on", required=True, default=fields.Date.context_today
    )
    note = fields.Text(help="Where exactly the details come from, and how reliable they are.")
    current_details = fields.Text(
        compute="_compute_current_details", help="The customer's details as they are now."
    )

    @api.depends("case_id")
    def _compute_current_details(self):
        for wizard in self:
            wizard.current_details = "\n".join(
                f"{label}: {value}" for label, value in wizard._collection_partner_details()
            )

    def action_record(self):
        self.ensure_one()
        # the customer is written by the process for whoever may work its case
        self.case_id.check_access("write")
        values = self._collection_checked_values()
        # the note is kept once: in the language of whoever works the case
        wizard = self.with_context(lang=self.case_id._collection_reader_lang())
        old = dict(wizard._collection_partner_details())
        partner = self.partner_id.sudo()
        if self.record_as == "contact":
            contact = partner.create(self._collection_contact_values(values))
        else:
            contact = partner
            partner.write(values)
        wizard._collection_post(contact, old)
        return {"type": "ir.actions.act_window_close"}

    def _collection_checked_values(self):
        """The details typed, trimmed and checked: what the partner receives."""
        values = {}
        for name in DETAIL_FIELDS:
            value = self[name]
            if isinstance(value, str):
                value = value.strip()
            if value:
                values[name] = value.id if isinstance(value, models.BaseModel) else value
        if not values:
            raise UserError(self.env._("Enter at least a phone, a mobile, an email or an address."))
        self._collection_check_lengths()
        for name in ("phone", "mobile"):
            if name in values:
                self._collection_check_phone(name, values[name])
        if "email" in values:
            normalized = email_normalize(values["email"])
            if not normalized:
                raise ValidationError(
                    self.env._("%(email)s is not a valid email address.", email=values["email"])
                )
            values["email"] = normalized
        if self.state_id and self.country_id and self.state_id.country_id != self.country_id:
            raise ValidationError(self.env._("The state is not in the chosen country."))
        if self.source_date > fields.Date.context_today(self):
            raise ValidationError(self.env._("Contact details cannot be obtained in the future."))
        return values

    def _collection_check_lengths(self):
        for name, length in LENGTHS.items():
            if len(self[name] or "") > length:
                raise ValidationError(
                    self.env._(
                        "%(field)s is too long: at most %(length)s characters.",
                        field=self._fields[name]._description_string(self.env),
                        length=length,
                    )
                )

    def _collection_check_phone(self, name, value):
        if not PHONE.match(value) or sum(c.isdigit() for c in value) < PHONE_DIGITS_MIN:
            raise ValidationError(
                self.env._(
                    "%(field)s: %(value)s is not a phone number.",
                    field=self._fields[name]._description_string(self.env),
                    value=value,
                )
            )

    def _collection_contact_values(self, values):
        name = (self.name or "").strip()
        if not name:
            raise UserError(self.env._("Give the name of the new contact person or address."))
        has_address = any(name in values for name in ADDRESS_FIELDS)
        return {
            **values,
            "parent_id": self.partner_id.id,
            # a contact person shares the customer's address; one with its own
            # address is another address of the customer
            "type": "other" if has_address else "contact",
            "name": name,
            "function": (self.function or "").strip() or False,
            "comment": Markup("<p>%s</p>") % self._collection_source_line(),
        }

    def _collection_partner_details(self):
        """(label, value) of the customer's phone, mobile, email and address."""
        partner = self.partner_id
        if not partner:
            return []
        address = ", ".join(
            filter(
                None,
                [
                    partner.street,
                    partner.street2,
                    partner.zip,
                    partner.city,
                    partner.state_id.name,
                    partner.country_id.name,
                ],
            )
        )
        details = [
            (self.env._("Phone"), partner.phone),
            (self.env._("Mobile"), partner.mobile),
            (self.env._("Email"), partner.email),
            (self.env._("Address"), address),
        ]
        return [(label, value or self.env._("none")) for label, value in details]

    def _collection_source_line(self):
        sources = dict(self._fields["source"]._description_selection(self.env))
        return self.env._(
            "Source: %(origin)s, obtained on %(date)s.",
            origin=sources[self.source],
            date=fields.Date.to_string(self.source_date),
        )

    def _collection_post(self, contact, old):
        """The note on the customer and on the case: source, date, the new details and,
        when they replace the customer's own, the old ones."""
        user = self.env.user.name
        if contact == self.partner_id:
            title = self.env._(
                "New contact details of the customer recorded by %(user)s.", user=user
            )
        else:
            title = self.env._(
                "New contact %(contact)s of the customer recorded by %(user)s.",
                contact=contact.name,
                user=user,
            )
        lines = [self._collection_source_line()]
        for label, value in self._collection_new_details():
            if contact == self.partner_id:
                lines.append(
                    self.env._(
                        "%(label)s: %(value)s (until now: %(old)s)",
                        label=label,
                        value=value,
                        old=old.get(label),
                    )
                )
            else:
                lines.append(self.env._("%(label)s: %(value)s", label=label, value=value))
        if self.note and self.note.strip():
            lines.append(self.env._("Note: %(note)s", note=self.note.strip()))
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            title,
            Markup().join(Markup("<li>%s</li>") % line for line in lines),
        )
        self.partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        self.case_id.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _collection_new_details(self):
        address = ", ".join(
            filter(
                None,
                [
                    self.street,
                    self.street2,
                    self.zip,
                    self.city,
                    self.state_id.name,
                    self.country_id.name,
                ],
            )
        )
        details = [
            (self.env._("Phone"), self.phone),
            (self.env._("Mobile"), self.mobile),
            (self.env._("Email"), self.email),
            (self.env._("Address"), address),
        ]
        return [(label, value.strip()) for label, value in details if value and value.strip()]
