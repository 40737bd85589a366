"""Metas beyond the vigencia: convenios and cuatrienios, with their progress across vigencias."""
