"""Audit: who changed what, written for every state-changing API request."""
