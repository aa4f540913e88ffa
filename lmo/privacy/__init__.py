"""Your data is yours: the export of everything a user owns, and the deletion of their
account (lmo.privacy, a front door above every app: nothing imports it)."""
