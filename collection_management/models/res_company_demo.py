from odoo import api, models

from ..demo.generator import DemoBook


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _collection_demo_load(self):
        """The demo data's entry point (demo/collection_demo.xml): a small generated
        book of receivables in the current company, then the demo story. Private, so no
        RPC call can run it: the story creates users whose password is their login.

        The book installs Simplified Chinese for its Chinese users and customers, here
        rather than in the tooling, so that an administrator installing the addon with
        demo data gets it as ``./dev start`` does; when it cannot, it says so."""
        book = DemoBook(self.env)
        book.install_chinese()
        book.generate(customers=30, invoices=150)
        result = book.story()
        self.env["collection.weekly.report"]._collection_demo_report(self.env.company)
        return result
