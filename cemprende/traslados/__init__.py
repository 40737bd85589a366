"""Transfers of a person between centres: requested by the receiving centre, answered by the origin."""
