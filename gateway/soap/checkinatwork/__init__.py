"""The Checkin@Work edge: the RSZ's PresenceRegistration v1.11 contract, served beside CIaO
by the same application, services and storage."""
