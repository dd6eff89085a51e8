"""Rate limits per API key, user or client IP, by plan, over minute, hour and day windows."""
