"""Login, logout, tokens, role and centre guards."""
