"""Campaign and chapter totals: the tallies (tallies) and the totals read from them (read)."""
