"""Why something asked cannot be done, in words every channel can say.

A reason is an English message with ``%(name)s`` placeholders and their values. The SOAP
faults and the command line say it in English (``str``); a page says it in its own language,
the messages being in the pages' catalogues (``gateway.pages.i18n``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reason:
    """
    >>> str(Reason("The period covers %(days)s calendar days.", {"days": 101}))
    'The period covers 101 calendar days.'
    """

    message: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % self.values if self.values else self.message
