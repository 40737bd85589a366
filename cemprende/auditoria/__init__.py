"""The audit trail viewer: who did what, when, for admins and supervisors."""
