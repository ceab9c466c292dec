"""Reading a caller's credentials out of a SOAP envelope's WS-Security header (OASIS WSS
1.0/1.1): a UsernameToken, or an X.509 signature (``gateway.soap.signature``), which is read
only when the header holds a ``ds:Signature``. Both services call ``read_credentials``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from datetime import datetime

from lxml import etree

from gateway.domain.identity import SignatureToken, UsernameToken
from gateway.services.errors import SignatureRejected
from gateway.soap.protocol import HEADER
from gateway.soap.signature import read_signature_token, signature_of
from gateway.soap.wsse import NS_WSSE, NS_WSU, SECURITY

# A token type URI, not a password.
TOKEN_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"  # noqa: S105
DIGEST_TYPE = TOKEN_PROFILE + "#PasswordDigest"

_TOKEN = f"{{{NS_WSSE}}}UsernameToken"
_BINARY_TOKEN = f"{{{NS_WSSE}}}BinarySecurityToken"


class MalformedToken(Exception):
    """The token is present but cannot be read (treated as failed authentication)."""


def _text(parent: etree._Element, tag: str) -> str | None:
    child = parent.find(tag)
    return None if child is None else (child.text or "").strip()


def read_username_token(header: Iterable[etree._Element] | None) -> UsernameToken | None:
    """The first UsernameToken of the wsse:Security header, or None if there is none."""
    for block in () if header is None else header:
        if block.tag != SECURITY:
            continue
        token = block.find(_TOKEN)
        if token is None:
            continue
        username = _text(token, f"{{{NS_WSSE}}}Username")
        password_element = token.find(f"{{{NS_WSSE}}}Password")
        if not username or password_element is None:
            raise MalformedToken("Username and Password are required")
        nonce_text = _text(token, f"{{{NS_WSSE}}}Nonce")
        created_text = _text(token, f"{{{NS_WSU}}}Created")
        try:
            nonce = base64.b64decode(nonce_text, validate=True) if nonce_text else None
            created = datetime.fromisoformat(created_text) if created_text else None
        except (binascii.Error, ValueError) as error:
            raise MalformedToken(str(error)) from None
        if created is not None and created.tzinfo is None:
            raise MalformedToken("Created needs a time zone")
        return UsernameToken(
            username=username,
            password=password_element.text or "",
            digest=password_element.get("Type") == DIGEST_TYPE,
            nonce=nonce,
            created=created,
            created_text=created_text,
        )
    return None


def read_credentials(envelope: etree._Element) -> UsernameToken | SignatureToken | None:
    """The credentials of ``envelope``: its signature when its wsse:Security header holds a
    ``ds:Signature``, else its UsernameToken, else None. A header with a certificate but
    neither is refused: its Body is not signed."""
    header = envelope.find(HEADER)
    if header is None:
        return None
    for block in header:
        if block.tag == SECURITY and signature_of(block) is not None:
            return read_signature_token(envelope, block)
    token = read_username_token(header)
    if token is None and header.find(f"{SECURITY}/{_BINARY_TOKEN}") is not None:
        raise SignatureRejected(
            "The wsse:Security header holds a BinarySecurityToken but no ds:Signature: sign "
            "the soap:Body and the wsu:Timestamp with its key."
        )
    return token
