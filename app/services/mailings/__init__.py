"""Mailings: logging them (log), changing their status (status) and reading them (read)."""
