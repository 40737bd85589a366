"""Administration: centres and staff accounts."""
