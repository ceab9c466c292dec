"""The pages in Dutch, French and English (Babel).

Messages are English in the templates and the code (``_("...")``); ``translations/nl.po`` and
``translations/fr.po`` are the catalogues, in the format every translation tool reads, compiled
in memory when the gateway starts. A test extracts every message and fails on one that a
catalogue lacks.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from gateway.domain import consultation, corrections
from gateway.domain.corrections import CorrectionType
from gateway.domain.identity import CERTIFICATE_REASONS
from gateway.domain.registration import RegistrationType, Sector, Status
from gateway.domain.remarks import CATALOGUE
from gateway.domain.workday import BELGIUM

LANGUAGES = ("nl", "fr", "en")
DEFAULT_LANGUAGE = "nl"
CATALOGUES = Path(__file__).parent / "translations"


def N_(message: str) -> str:
    """Marks a message for extraction without translating it here."""
    return message


REGISTRATION_TYPES = {
    RegistrationType.CHECK_IN: N_("Start of work"),
    RegistrationType.CHECK_OUT: N_("End of work"),
    RegistrationType.BREAK_START: N_("Start of break"),
    RegistrationType.BREAK_END: N_("End of break"),
    RegistrationType.PRESENCE: N_("Presence for the day (Checkin@Work)"),
}
SECTORS = {
    Sector.CONSTRUCTION: N_("construction"),
    Sector.GUARDING: N_("security/guarding"),
    Sector.MEAT: N_("meat"),
}
STATUSES = {
    Status.REGISTERED: N_("Registered, not yet checked"),
    Status.VALIDATED: N_("Checked, no remark"),
    Status.FAILED: N_("Checked, with remarks"),
    Status.CANCELLED: N_("Cancelled"),
}
CORRECTION_TYPES = {
    CorrectionType.WRONG_COMPANY_ID: N_("Wrong enterprise number"),
    CorrectionType.WRONG_WORKPLACE_ID: N_("Wrong declaration of works number"),
    CorrectionType.MISSING_WORKPLACE_ID: N_("Missing declaration of works number"),
}
# The remark catalogue's actions are translated like any other message, and so are the
# reasons a correction, an export or a certificate is refused.
REMARK_ACTIONS = tuple(kind.action for kind in CATALOGUE)
REASONS = corrections.REASONS + consultation.REASONS + CERTIFICATE_REASONS


@cache  # the catalogues do not change while the process runs; tests build many apps
def _compiled(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    with (CATALOGUES / f"{language}.po").open("rb") as source:
        catalogue = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


@dataclass(frozen=True)
class Language:
    """What a page needs to speak one language."""

    code: str
    translations: gettext.NullTranslations

    def gettext(self, message: str, **values: object) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def moment(self, value: datetime) -> str:
        """A date and time as people of this language write it in Belgium, in Belgian time."""
        return format_datetime(
            value, "short", tzinfo=BELGIUM, locale=Locale.parse(f"{self.code}_BE")
        )

    def name(self) -> str:
        return str(Locale.parse(self.code).get_display_name(self.code)).capitalize()


def load_languages() -> dict[str, Language]:
    return {code: Language(code, _compiled(code)) for code in LANGUAGES}


def negotiate(wanted: str | None, accept: Callable[[list[str]], str | None]) -> str:
    """The language of a page: the one chosen (cookie or link), else the browser's best match
    among ours, else Dutch."""
    if wanted in LANGUAGES:
        return wanted
    return accept(list(LANGUAGES)) or DEFAULT_LANGUAGE
