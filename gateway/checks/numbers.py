"""Checksums of Belgian numbers (python-stdnum), remembered: a worker's INSS and an employer's
enterprise number come back in every registration of the day, and validating them is the
largest single cost of a check run."""

from __future__ import annotations

from functools import lru_cache

from stdnum.be import bis, nn, vat


@lru_cache(maxsize=65536)
def valid_inss(number: str) -> bool:
    """A national register number or a BIS number with a correct checksum.

    >>> valid_inss("85073003328"), valid_inss("97440936363"), valid_inss("85073003329")
    (True, True, False)
    """
    return bool(nn.is_valid(number) or bis.is_valid(number))


@lru_cache(maxsize=65536)
def valid_enterprise(number: str) -> bool:
    """
    >>> valid_enterprise("0403170701"), valid_enterprise("0403170702")
    (True, False)
    """
    return bool(vat.is_valid(number))
