"""Notifications, preferences and their delivery (live and e-mail)."""
