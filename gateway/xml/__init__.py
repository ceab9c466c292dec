"""XML at the edge: the one hardened parse point, the contract schemas, and the codecs."""
