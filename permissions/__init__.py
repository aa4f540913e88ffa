"""Grants, permission requests and the audit trail: the one place that decides whether a command may run."""
