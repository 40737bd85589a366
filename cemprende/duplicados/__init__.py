"""Possible duplicate people: the detection, the supervisors' and directors' queue, the merge."""
