"""The services late interest and collection fees are invoiced with.

They are made when first needed, not by a data file: products have required columns
added by apps this addon does not depend on (Sales' warning on order lines), and a data
file loaded while the addon is updated, before those apps, could not insert them. A
product made before (same external id) is found and kept as the user set it."""

from odoo import Command, _, api, models

PRODUCTS = {
    # kind: (external id without the module, internal reference)
    "interest": ("product_collection_interest", "COLL-INTEREST"),
    "fee": ("product_collection_fee", "COLL-FEE"),
}
MODULE = "collection_management"


class CollectionCharge(models.Model):
    _inherit = "collection.charge"

    def _collection_product_texts(self, kind):
        """(name, description) of the product of ``kind`` in the environment's language."""
        if kind == "interest":
            return (
                _("Late interest"),
                _("Interest on overdue invoices, at the rate agreed in the contract."),
            )
        return _("Collection fee"), _("Fee for the collection of overdue invoices.")

    @api.model
    def _collection_product(self, kind):
        """The service of ``kind`` (interest or fee), made on first use: no taxes and
        the income account of its category (set others on the product where the law or
        the chart of accounts asks)."""
        name, code = PRODUCTS[kind]
        product = self.env.ref(f"{MODULE}.{name}", raise_if_not_found=False)
        if product:
            return product
        products = self.env["product.product"].sudo().with_context(lang="en_US")
        label, description = self.with_context(lang="en_US")._collection_product_texts(kind)
        product = products.create(
            {
                "name": label,
                "type": "service",
                "default_code": code,
                "list_price": 0.0,
                "sale_ok": True,
                "purchase_ok": False,
                "description_sale": description,
            }
        )
        # the company's default taxes come with a new product: none on these
        product.write({"taxes_id": [Command.clear()], "supplier_taxes_id": [Command.clear()]})
        for code_lang, _name in self.env["res.lang"].get_installed():
            if code_lang != "en_US":
                label, description = self.with_context(lang=code_lang)._collection_product_texts(
                    kind
                )
                product.with_context(lang=code_lang).write(
                    {"name": label, "description_sale": description}
                )
        self.env["ir.model.data"].sudo().create(
            {
                "module": MODULE,
                "name": name,
                "model": "product.product",
                "res_id": product.id,
                "noupdate": True,
            }
        )
        return product
