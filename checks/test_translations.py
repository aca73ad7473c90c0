"""The Simplified Chinese catalogue is complete and keeps every placeholder."""

import re

import polib
import pytest

from .conftest import ADDON

POT = ADDON / "i18n" / "collection_management.pot"
ZH = ADDON / "i18n" / "zh_CN.po"
PLACEHOLDER = re.compile(
    r"%\([a-z_]+\)[sd]|%[sd]|\{\{.*?\}\}|t-out=\"[^\"]*\"|t-foreach=\"[^\"]*\""
)


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(ZH))


def test_catalogue_covers_the_template(catalogue):
    template = {entry.msgid for entry in polib.pofile(str(POT)) if entry.msgid}
    translated = {entry.msgid for entry in catalogue if not entry.obsolete}
    missing = sorted(template - translated)
    assert not missing, f"{len(missing)} terms of the .pot are not in zh_CN.po: {missing[:5]}"


def test_every_term_is_translated(catalogue):
    untranslated = [e.msgid for e in catalogue.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:5]}"


def test_translations_keep_placeholders(catalogue):
    broken = [
        entry.msgid
        for entry in catalogue
        if entry.msgstr
        and sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr))
    ]
    assert not broken, f"placeholders changed in: {broken[:5]}"


def test_translations_are_chinese(catalogue):
    han = re.compile(r"[\u4e00-\u9fff]")
    # a term may stay as it is when it is a code, a number or a name
    latin_only = [
        entry.msgid
        for entry in catalogue
        if entry.msgstr
        and not han.search(entry.msgstr)
        and re.search(r"[a-z]{4,}", entry.msgid)
        and entry.msgstr == entry.msgid
    ]
    assert len(latin_only) <= len(catalogue) // 20, f"copied, not translated: {latin_only[:10]}"
