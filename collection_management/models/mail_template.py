"""The reminders' emails rendered many at a time: Odoo compiles an inline QWeb body
again for every record it renders (about 30 ms each for the reminder's body), so a
bulk send of a thousand reminders spent most of its time compiling the same template.
For follow-ups, the body is compiled once per rendering and run for each record."""

import logging

from lxml import html
from markupsafe import Markup

from odoo import api, models
from odoo.tools import safe_eval

_logger = logging.getLogger(__name__)

# the wrapper Odoo's rendering adds around an inline template, taken off afterwards
WRAPPER_OPEN, WRAPPER_CLOSE = "<div>", "</div>"


class MailTemplate(models.Model):
    _inherit = "mail.template"

    @api.model
    def _render_template_qweb(self, template_src, model, res_ids, add_context=None, options=None):
        if (
            model != "collection.followup"
            or not template_src
            or len(res_ids) < 2
            or not self._has_unsafe_expression_template_qweb(template_src, model)
        ):
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )
        try:
            return self._collection_render_compiled_once(
                template_src, model, res_ids, add_context, options
            )
        except Exception:  # Odoo's own rendering reports the error
            _logger.info("rendering the reminders one by one", exc_info=True)
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )

    @api.model
    def _collection_render_compiled_once(self, template_src, model, res_ids, add_context, options):
        """{res_id: rendered body} of ``res_ids``, with the body compiled once, under
        the same restrictions as Odoo's rendering (a user who may not edit templates
        renders no code touching other models)."""
        options = dict(options or {})
        restricted = (
            not self._unrestricted_rendering
            and not self.env.is_admin()
            and not self.env.user.has_group("mail.group_mail_template_editor")
        )
        if restricted:
            options["raise_on_forbidden_code_for_model"] = model
        base_values = self._render_eval_context()
        base_values.update(add_context or {})
        qweb = self.env["ir.qweb"].with_context(**options)
        element = html.fragment_fromstring(template_src, create_parent="div")
        compiled = None
        results = {}
        for record in self.env[model].browse(res_ids):
            values = dict(base_values, object=record)
            rendering = qweb._prepare_environment(values)
            safe_eval.check_values(values)
            if compiled is None:
                functions, name = rendering._compile(element)
                compiled = functions[name]
            body = "".join(compiled(rendering, values))
            if not (body.startswith(WRAPPER_OPEN) and body.endswith(WRAPPER_CLOSE)):
                raise ValueError("unexpected rendering of an inline template")
            results[record.id] = Markup(body[len(WRAPPER_OPEN) : -len(WRAPPER_CLOSE)])
        return results
