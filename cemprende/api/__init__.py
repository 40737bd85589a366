"""The JSON API of API.md."""
