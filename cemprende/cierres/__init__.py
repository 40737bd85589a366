"""Month close: a director closes a centre's month, a supervisor accepts or returns it, a
supervisor or admin reopens it; the close freezes the month's figures and the gate refuses
writes dated in a closed month."""
