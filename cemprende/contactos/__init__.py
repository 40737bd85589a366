"""Contact tracking of remitted people: dated attempts, their state and the queue to contact."""
