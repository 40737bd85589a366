"""Data in: DPS remission lists uploaded as CSV or XLSX, previewed and applied by a job."""
