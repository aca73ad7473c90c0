"""Collection letters and statements carry the company's letterhead (the company's
chosen external layout) whichever wkhtmltopdf prints them.

Odoo hands the layout's header and footer to wkhtmltopdf as separate pages that it
draws on every page (``--header-html``, ``--footer-html``). Only wkhtmltopdf built
with its patched Qt draws them: the Debian build ignores them and leaves a blank band
where the letterhead should be. With that build, our documents carry the letterhead
in their body instead: the layout's header opens each document, and its footer closes
it inside the closing block (signature, totals), which is kept on one page so that
the company's details never fall alone onto a page of their own.

That build also has three more defects our documents work around: it draws the text of
web fonts (the company's report font) as outlines, so that a letter can be neither
searched nor copied and weighs some thirty times more; the zoom with which Odoo compensates
the paper format's DPI (96 / 90) makes the page too wide, so that its right is cut;
and it prints one document per call only ("Exit with code 1" for several letters).
Our documents then print in an installed font, at the zoom of the screen, and one
document at a time.
"""

import functools
import logging
import subprocess

import lxml.html

from odoo import api, models
from odoo.tools.pdf import merge_pdf
from odoo.tools.safe_eval import safe_eval, time

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

_logger = logging.getLogger(__name__)

# classes set by the template collection_management.letterhead_layout
LETTERHEAD = "o_collection_letterhead"
REGISTRATION = "o_collection_registration"
REGISTRATION_NUMBER = "o_collection_registration_number"
CLOSING = "o_collection_closing"
# the header and footer once they are part of the body (no longer taken out by Odoo)
BODY_HEADER = "o_collection_letterhead_header"
BODY_FOOTER = "o_collection_letterhead_footer"
# page margins (mm) of a document carrying its letterhead in its body: the paper
# format's margins keep room for a header and footer that are not drawn there
# and the DPI at which Odoo's zoom (96 / DPI) is 1
BODY_LETTERHEAD_ARGS = {
    "data-report-margin-top": "12",
    "data-report-margin-bottom": "14",
    "data-report-header-spacing": "0",
    "data-report-dpi": "96",
}
# installed fonts (fonts-noto-cjk, then DejaVu) covering Latin and Chinese text
SYSTEM_FONT = "o_collection_system_font"
SYSTEM_FONT_STYLE = (
    f".{SYSTEM_FONT}, .{SYSTEM_FONT} * {{"
    " font-family: 'Noto Sans CJK SC', 'Noto Sans', 'DejaVu Sans', sans-serif !important; }"
)


@functools.cache
def wkhtmltopdf_is_patched():
    """Whether the installed wkhtmltopdf draws separate header and footer pages: the
    build with patched Qt says "with patched qt" in its version."""
    try:
        version = subprocess.run(
            [_get_wkhtmltopdf_bin(), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        # no usable wkhtmltopdf: Odoo reports it when printing; keep its own layout
        return True
    patched = "patched qt" in version.lower()
    if not patched:
        _logger.info(
            "wkhtmltopdf without patched Qt: collection letters carry the letterhead in their body"
        )
    return patched


def _with_class(name):
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _has_class(node, name):
    return name in (node.get("class") or "").split()


def _rename_class(node, old, new):
    node.set("class", " ".join(new if c == old else c for c in node.get("class", "").split()))


def _sibling(article, name, preceding):
    """The header (``preceding``) or footer of ``article``, as the external layout
    puts them beside it."""
    for node in article.itersiblings(preceding=preceding):
        if _has_class(node, name):
            return node
        if _has_class(node, "article"):
            return None
    return None


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _prepare_html(self, html, report_model=False):
        if (LETTERHEAD if isinstance(html, str) else LETTERHEAD.encode()) not in html:
            return super()._prepare_html(html, report_model=report_model)
        in_body = not wkhtmltopdf_is_patched()
        html = self._collection_place_letterhead(html, in_body)
        prepared = super()._prepare_html(html, report_model=report_model)
        if in_body and prepared:
            prepared[4].update(BODY_LETTERHEAD_ARGS)
        return prepared

    @api.model
    def _run_wkhtmltopdf(
        self,
        bodies,
        report_ref=False,
        header=None,
        footer=None,
        landscape=False,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        options = {
            "report_ref": report_ref,
            "header": header,
            "footer": footer,
            "landscape": landscape,
            "specific_paperformat_args": specific_paperformat_args,
            "set_viewport_size": set_viewport_size,
        }
        several_of_ours = len(bodies) > 1 and all(LETTERHEAD in body for body in bodies)
        if not several_of_ours or wkhtmltopdf_is_patched():
            return super()._run_wkhtmltopdf(bodies, **options)
        documents = []
        for body in bodies:
            documents.append(super()._run_wkhtmltopdf([body], **options))
        return merge_pdf(documents)

    def _collection_file_name(self, record, lang):
        """The file name of ``record`` printed by this report as its reader sees it:
        the report's printed name in ``lang`` (the customer's language)."""
        self.ensure_one()
        record = record.with_context(lang=lang)
        report = self.with_env(record.env)
        name = safe_eval(report.print_report_name, {"object": record, "time": time})
        return f"{name}.pdf"

    def _collection_place_letterhead(self, html, in_body):
        """Join the registration details to the layout's header of each collection
        document and, when ``in_body``, move that header to the top of the document
        and its footer into the document's closing block."""
        root = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(encoding="utf-8"))
        for article in root.xpath(
            f"//div[{_with_class('article')}][.//*[{_with_class(LETTERHEAD)}]]"
        ):
            header = _sibling(article, "header", preceding=True)
            footer = _sibling(article, "footer", preceding=False)
            if header is not None:
                self._collection_join_registration(article, header)
            if in_body:
                self._collection_letterhead_into_body(article, header, footer)
        return lxml.html.tostring(root, encoding="utf-8")

    def _collection_letterhead_into_body(self, article, header, footer):
        """The layout's header opens the document, its footer closes it inside the
        closing block; the document prints in an installed font."""
        style = lxml.html.Element("style")
        style.text = SYSTEM_FONT_STYLE
        article.insert(0, style)
        article.set("class", f"{article.get('class', '')} {SYSTEM_FONT}")
        if header is not None:
            _rename_class(header, "header", BODY_HEADER)
            article.insert(1, header)
        if footer is not None:
            self._collection_drop_page_numbers(footer)
            _rename_class(footer, "footer", BODY_FOOTER)
            footer.set("class", f"{footer.get('class')} mt-5")
            closings = article.xpath(f".//*[{_with_class(CLOSING)}]")
            (closings[-1] if closings else article).append(footer)

    def _collection_join_registration(self, article, header):
        """Registration details go with the company's address in the header, unless
        the company's own header text already shows them."""
        for registration in article.xpath(f".//*[{_with_class(REGISTRATION)}]"):
            numbers = registration.xpath(f".//*[{_with_class(REGISTRATION_NUMBER)}]")
            header_text = header.text_content()
            registration.getparent().remove(registration)
            if not all(number.text_content().strip() in header_text for number in numbers):
                header.append(registration)

    def _collection_drop_page_numbers(self, footer):
        """Drop the page numbers: wkhtmltopdf fills them in separate footer pages
        only, in the body they would read "Page  / "."""
        for number in footer.xpath(f".//span[{_with_class('page')} or {_with_class('topage')}]"):
            line = number.getparent()
            if line is not None and line is not footer and line.getparent() is not None:
                line.getparent().remove(line)
