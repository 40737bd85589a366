"""My work: the signed-in staff member's pending tasks."""
