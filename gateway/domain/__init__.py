"""The CIaO domain: registrations, acknowledgements, accounts. Imports no framework."""
