from odoo import api, models

from ..demo.generator import DemoBook


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _collection_demo_load(self):
        """The demo data's entry point (demo/collection_demo.xml): a small generated
        book of receivables in the current company, then the demo story. Private, so no
        RPC call can run it: the story creates users whose password is their login."""
        book = DemoBook(self.env)
        book.generate(customers=30, invoices=150)
        return book.story()
