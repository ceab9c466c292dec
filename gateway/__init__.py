"""CIaO gateway: the SOAP transmission channel for Check In and Out at Work registrations."""
