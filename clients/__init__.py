"""A zeep client of the CIaO gateway: a library and the ``ciao-client`` command."""
