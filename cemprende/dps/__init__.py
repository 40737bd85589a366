"""The cross-check with DPS: the export of the centre's remitted people, DPS's answer re-imported,
the `fallecido` rule of the gate and the follow-up view (remitidos → localizados → atendidos)."""
