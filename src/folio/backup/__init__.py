"""Backups of a whole installation (database snapshot, blobs, signing keys) with a checksummed
manifest; restore into an empty data directory or database; scheduled backups with retention."""
