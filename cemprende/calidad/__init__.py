"""Data-quality score per advisor, centre and month."""
