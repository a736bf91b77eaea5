"""Webhooks: signed HTTP deliveries of workspace events to URLs an owner registers."""
