from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.base.models.ir_qweb import IrQWeb

from .test_followup_sending import FollowupSendingCase


@tagged("post_install", "-at_install")
class TestFollowupEmailRendering(FollowupSendingCase):
    """The reminders' bodies of a bulk send are compiled once per rendering and read
    exactly as when each reminder is rendered alone."""

    def test_bodies_rendered_together_are_those_rendered_one_by_one(self):
        drafts = self._drafts(4, "Together")
        drafts[1].partner_id.name = "<b>Bold</b> & {{ object.id }}"
        template = drafts.level_id.mail_template_id
        together = template._render_field("body_html", drafts.ids)
        for followup in drafts:
            alone = template._render_field("body_html", followup.ids)
            self.assertEqual(together[followup.id], alone[followup.id])
            self.assertIn(followup.invoice_ids[:1].name, together[followup.id])
        self.assertIn("&lt;b&gt;Bold&lt;/b&gt; &amp;", together[drafts[1].id])
        self.assertNotIn("<b>Bold</b>", together[drafts[1].id])

    def test_the_body_is_compiled_once_for_many_reminders(self):
        drafts = self._drafts(5, "Compiled")
        template = drafts.level_id.mail_template_id
        compiled = []
        real = IrQWeb._compile

        def counting(qweb, element, *args, **kwargs):
            compiled.append(element)
            return real(qweb, element, *args, **kwargs)

        with patch.object(IrQWeb, "_compile", counting):
            bodies = template._render_field("body_html", drafts.ids)
        self.assertEqual(len(bodies), 5)
        self.assertEqual(len(compiled), 1, "one compilation for the five bodies")

    def test_an_accountant_who_may_not_edit_templates_sends_in_bulk(self):
        self.assertFalse(self.billing.has_group("mail.group_mail_template_editor"))
        drafts = self._drafts(3, "Restricted")
        self._send(drafts, user=self.billing)
        for followup in drafts:
            self.assertIn(followup.invoice_ids[:1].name, followup.mail_id.body_html)
