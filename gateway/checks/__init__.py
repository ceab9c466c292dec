"""The checks that raise remarks. Each is a pure function of registrations and reference
data; ``evaluate`` runs them all over one worker's day. When and how often that happens is
the business of ``gateway.services.checking``."""
