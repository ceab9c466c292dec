"""Every message of the pages is translated into Dutch and French, with the same placeholders,
and the catalogues hold nothing the pages no longer say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from gateway.pages import i18n

PAGES = Path(i18n.__file__).parent
KEYWORDS = {"_": None, "N_": None}
JINJA = {"extensions": "jinja2.ext.i18n", "trim_blocks": "1", "lstrip_blocks": "1"}


def messages() -> set[str]:
    found: set[str] = {*i18n.REMARK_ACTIONS, *i18n.REASONS}
    for template in sorted((PAGES / "templates").glob("*.html")):
        with template.open("rb") as source:
            found.update(m[1] for m in extract(babel_extract, source, KEYWORDS, options=JINJA))
    for module in sorted(PAGES.glob("*.py")):
        with module.open("rb") as source:
            found.update(m[1] for m in extract("python", source, KEYWORDS))
    return found


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_message_of_the_pages_is_translated_with_the_same_placeholders(language):
    with (i18n.CATALOGUES / f"{language}.po").open("rb") as source:
        catalogue = read_po(source, locale=language)
    translated = {m.id: m.string for m in catalogue if m.id}
    wanted = messages()
    missing = sorted(wanted - {k for k, v in translated.items() if v})
    assert missing == [], f"add these to gateway/pages/translations/{language}.po: {missing}"
    stale = sorted(set(translated) - wanted)
    assert stale == [], f"remove these from gateway/pages/translations/{language}.po: {stale}"
    wrong = [k for k, v in translated.items() if placeholders(k) != placeholders(v)]
    assert wrong == []


def test_the_three_languages_load_and_speak_differently():
    languages = i18n.load_languages()
    assert sorted(languages) == ["en", "fr", "nl"]
    said = {code: languages[code].gettext("Register your presence") for code in languages}
    assert said == {
        "nl": "Registreer uw aanwezigheid",
        "fr": "Enregistrez votre présence",
        "en": "Register your presence",
    }
