"""E-mail: notifications from the outbox to people's addresses, delivered over SMTP."""
