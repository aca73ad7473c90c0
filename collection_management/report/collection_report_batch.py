"""Many documents of one report in one wkhtmltopdf process, split per record.

Each wkhtmltopdf process costs about a second and a half (start, page load, the
JavaScript delay Odoo asks for), whatever the size of the document: printing two
thousand statements one by one takes most of an hour. The documents of many records
are printed as one document instead, each starting on a new page behind a mark that
says whose document begins there, and the PDF is then cut at the marks. Odoo's own
split (one body per record, cut at the PDF outlines) needs wkhtmltopdf built with its
patched Qt, which prints several bodies and outlines; the Debian build prints
neither, so the documents are joined into one body here whichever build prints them.
"""

import io
import logging
import re
import shutil
import subprocess
import tempfile
import uuid

import lxml.html

from odoo import api, models
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from .collection_letterhead import SYSTEM_FONT

_logger = logging.getLogger(__name__)

PAGE_BREAK = '<div style="page-break-before: always;"></div>'
# the mark: white text of one pixel at the top of each document's first page (found
# in the PDF's text, unseen on paper); its random part cannot be typed by a customer.
# It is printed in an installed font: a web font would be drawn as outlines, not text.
MARK = (
    f'<div class="{SYSTEM_FONT}" style="font-size: 1px; line-height: 1px; height: 1px; '
    "color: #ffffff; overflow: hidden; font-family: 'Noto Sans CJK SC', 'DejaVu Sans', "
    'sans-serif !important;">{mark}</div>'
)


def _pages_text(pdf):
    """The text of each page of ``pdf``: poppler's pdftotext when installed (fast),
    else pypdf."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as document:
            document.write(pdf)
            document.flush()
            result = subprocess.run(
                [pdftotext, "-q", document.name, "-"], capture_output=True, check=False
            )
        if result.returncode == 0:
            return result.stdout.decode("utf-8", "replace").split("\f")[:-1]
    reader = PdfFileReader(io.BytesIO(pdf))
    return [reader.getPage(index).extractText() for index in range(reader.numPages)]


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _collection_render_batch(self, report_ref, res_ids):
        """{record id: PDF} of ``report_ref`` for ``res_ids``, printed by one
        wkhtmltopdf process; empty when the document cannot be cut unambiguously (the
        caller then prints the records one by one)."""
        report = self._get_report(report_ref)
        nonce = uuid.uuid4().hex
        reports = self.with_context(debug=False, webp_as_jpg=True)
        html = reports._render_qweb_html(report_ref, res_ids, data={"report_type": "pdf"})[0]
        bodies, html_ids, header, footer, paper_args = report.with_context(
            debug=False
        )._prepare_html(html, report_model=report.model)
        if list(html_ids) != list(res_ids):
            return {}
        joined = self._collection_join_bodies(bodies, [f"{nonce}-{res_id}" for res_id in res_ids])
        pdf = reports._run_wkhtmltopdf(
            [joined],
            report_ref=report_ref,
            header=header,
            footer=footer,
            specific_paperformat_args=paper_args,
        )
        return self._collection_cut(pdf, nonce, res_ids)

    @api.model
    def _collection_join_bodies(self, bodies, marks):
        """One HTML document holding the content of each of ``bodies`` (complete
        documents sharing their head), each on a new page behind its mark."""
        first = lxml.html.document_fromstring(bodies[0])
        body = first.find("body")
        for child in list(body):
            body.remove(child)
        body.text = None
        for index, (document, mark) in enumerate(zip(bodies, marks, strict=True)):
            if index:
                body.append(lxml.html.fragment_fromstring(PAGE_BREAK))
            body.append(lxml.html.fragment_fromstring(MARK.format(mark=mark)))
            source = lxml.html.document_fromstring(document).find("body")
            if source.text and source.text.strip():
                body.append(lxml.html.fragment_fromstring(f"<span>{source.text}</span>"))
            for child in source:
                body.append(child)
        return lxml.html.tostring(first, encoding="unicode")

    @api.model
    def _collection_cut(self, pdf, nonce, res_ids):
        """Cut ``pdf`` at the first page of each record's document: {id: PDF}, or {}
        when the marks found are not exactly one per record in order."""
        pattern = re.compile(re.escape(nonce) + r"-(\d+)")
        starts = []
        for number, text in enumerate(_pages_text(pdf)):
            for found in pattern.findall(text):
                starts.append((number, int(found)))
        if [res_id for _page, res_id in starts] != list(res_ids) or (starts and starts[0][0] != 0):
            _logger.warning("printed documents could not be cut per record: %s marks", len(starts))
            return {}
        reader = PdfFileReader(io.BytesIO(pdf))
        documents = {}
        ends = [page for page, _res_id in starts[1:]] + [reader.numPages]
        for (first, res_id), end in zip(starts, ends, strict=True):
            if end <= first:
                return {}
            writer = PdfFileWriter()
            for page in range(first, end):
                writer.addPage(reader.getPage(page))
            stream = io.BytesIO()
            writer.write(stream)
            documents[res_id] = stream.getvalue()
        return documents
