"""One blueprint per feature; views parse, call a service, and render or redirect."""
