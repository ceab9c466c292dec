"""CIaO gateway: the SOAP transmission channel for Check In and Out at Work registrations."""

# Before anything imports spyne: lets the released spyne import on Python 3.12 and 3.13.
from gateway import spyne_compat  # noqa: F401
