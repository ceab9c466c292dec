"""The remark catalogue: every remark a check can raise, with its stable code, the text shown
(the RSZ service's text, verbatim with its typos, where the same check exists there), the
action the employer should take, and the moments it is computed. Documented in
docs/remarks.md; a test keeps the two in step.

Moments: ``arrival`` (when the registration is stored), ``reference`` (when reference data it
depends on changes), ``day`` (when another registration of the same worker and day arrives),
``end-of-day`` (after midnight, Belgian time, of the day of the registration).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RemarkKind:
    code: str
    text: str
    action: str
    moments: tuple[str, ...]


ARRIVAL_AND_REFERENCE = ("arrival", "reference")
DAY = ("arrival", "day")

INSS_INVALID = RemarkKind(
    "INSS_INVALID",
    "NISS IS NOT A VALID NATIONAL OR BIS NUMBER",
    "Check the worker's national number (11 digits with a mod-97 check); request no correction: "
    "register again with the right number.",
    ("arrival",),
)
INSS_UNKNOWN = RemarkKind(
    "INSS_UNKNOWN",
    "NISS IS NOT KNOW IN THE NATIONAL REGISTER",
    "Check the worker's national number; a BIS number must be requested for a worker not in "
    "the national register.",
    ARRIVAL_AND_REFERENCE,
)
LIMOSA_UNKNOWN = RemarkKind(
    "LIMOSA_UNKNOWN",
    "LIMOSA ID IS NOT KNOWN",
    "Check the Limosa id; file the Limosa declaration of the posted worker.",
    ARRIVAL_AND_REFERENCE,
)
LIMOSA_INACTIVE = RemarkKind(
    "LIMOSA_INACTIVE",
    "LIMOSA ID IS NOT ACTIVE AT DATE",
    "Extend the Limosa declaration to cover the day worked.",
    ARRIVAL_AND_REFERENCE,
)
COMPANY_INVALID = RemarkKind(
    "COMPANY_INVALID",
    "COMPANY ID IS NOT A VALID ENTERPRISE NUMBER",
    "Request a correction (wrong enterprise number) within 30 days.",
    ("arrival",),
)
COMPANY_UNKNOWN = RemarkKind(
    "COMPANY_UNKNOWN",
    "THE COMPANY DOESN'T EXISTS",
    "Request a correction (wrong enterprise number) within 30 days.",
    ARRIVAL_AND_REFERENCE,
)
COMPANY_INACTIVE = RemarkKind(
    "COMPANY_INACTIVE",
    "EMPLOYER NOT ACTIVE",
    "Check the enterprise number; request a correction within 30 days if it is wrong.",
    ARRIVAL_AND_REFERENCE,
)
NO_EMPLOYMENT = RemarkKind(
    "NO_EMPLOYMENT",
    "RELATED DIMONA NOT OK",
    "Declare the employment (Dimona) of the worker with this employer for that day.",
    ARRIVAL_AND_REFERENCE,
)
DECLARATION_UNKNOWN = RemarkKind(
    "DECLARATION_UNKNOWN",
    "DUC IS NOT EXISTING",
    "File the declaration of works, or request a correction (wrong or missing declaration "
    "number) within 30 days.",
    ARRIVAL_AND_REFERENCE,
)
DECLARATION_INACTIVE = RemarkKind(
    "DECLARATION_INACTIVE",
    "DUC IS NOT ACTIVE AT THIS DATE",
    "Adjust the period of the declaration of works, or request a correction of the "
    "declaration number within 30 days.",
    ARRIVAL_AND_REFERENCE,
)
SITE_NOT_SUBJECT = RemarkKind(
    "SITE_NOT_SUBJECT",
    "SITE IS NOT SUBJECT TO PRESENCE REGISTRATION",
    "No action needed if the site is indeed not subject; otherwise correct the declaration.",
    ARRIVAL_AND_REFERENCE,
)
COMPANY_NOT_IN_CHAIN = RemarkKind(
    "COMPANY_NOT_IN_CHAIN",
    "COMPANY IS NOT KNOWN  AS BUILDER OR  SUBCONTRACTOR IN THIS DUC",
    "Add the subcontractor to the declaration of works, or request a correction of the "
    "enterprise number within 30 days.",
    ARRIVAL_AND_REFERENCE,
)
PREVIOUS_CONTRACTOR = RemarkKind(
    "PREVIOUS_CONTRACTOR",
    "THE COMPANY ID ASSOCIATED AT A NOT ACTIVE CONTRACT",
    "The worker registered under the contractor of a taken-over contract: hand out the new "
    "declaration (QR code) and request a correction of the enterprise number within 30 days.",
    ARRIVAL_AND_REFERENCE,
)
DUPLICATE = RemarkKind(
    "DUPLICATE",
    "SAME DECLARATION HAS ALREADY BEEN REGISTERED",
    "No action: the earlier identical registration counts. Send a "
    "ClientPresenceRegistrationReference to make resending safe.",
    ("arrival",),
)
CHECK_OUT_WITHOUT_CHECK_IN = RemarkKind(
    "CHECK_OUT_WITHOUT_CHECK_IN",
    "CHECK-OUT WITHOUT CHECK-IN",
    "Check that the worker registers the start of work.",
    DAY,
)
BREAK_OUTSIDE_WORK = RemarkKind(
    "BREAK_OUTSIDE_WORK",
    "BREAK OUTSIDE A PRESENCE",
    "A rest pause starts while the worker is not checked in: check the registrations.",
    DAY,
)
BREAK_END_WITHOUT_START = RemarkKind(
    "BREAK_END_WITHOUT_START",
    "END OF BREAK WITHOUT START OF BREAK",
    "Check that the worker registers the start of the rest pause.",
    DAY,
)
OVERLAPPING_PRESENCE = RemarkKind(
    "OVERLAPPING_PRESENCE",
    "CHECK-IN DURING ANOTHER PRESENCE",
    "The worker checked in while already checked in: check the earlier check-out.",
    DAY,
)
NO_CHECK_OUT = RemarkKind(
    "NO_CHECK_OUT",
    "NO CHECK-OUT BY THE END OF THE DAY",
    "Check that the worker registers the end of work.",
    ("day", "end-of-day"),
)
REGISTERED_LATE = RemarkKind(
    "REGISTERED_LATE",
    "REGISTERED LONG AFTER THE EVENT",
    "Registrations are made at the moment of the activity; use EmergencyProcedure for those "
    "captured during an outage and sent later.",
    ("arrival",),
)

CATALOGUE: tuple[RemarkKind, ...] = (
    INSS_INVALID,
    INSS_UNKNOWN,
    LIMOSA_UNKNOWN,
    LIMOSA_INACTIVE,
    COMPANY_INVALID,
    COMPANY_UNKNOWN,
    COMPANY_INACTIVE,
    NO_EMPLOYMENT,
    DECLARATION_UNKNOWN,
    DECLARATION_INACTIVE,
    SITE_NOT_SUBJECT,
    COMPANY_NOT_IN_CHAIN,
    PREVIOUS_CONTRACTOR,
    DUPLICATE,
    CHECK_OUT_WITHOUT_CHECK_IN,
    BREAK_OUTSIDE_WORK,
    BREAK_END_WITHOUT_START,
    OVERLAPPING_PRESENCE,
    NO_CHECK_OUT,
    REGISTERED_LATE,
)
BY_CODE = {kind.code: kind for kind in CATALOGUE}
ORDER = {kind.code: position for position, kind in enumerate(CATALOGUE)}
