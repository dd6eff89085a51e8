"""Usage: per-team quotas and the compact per-day request log behind API-key usage figures."""
