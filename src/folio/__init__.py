"""Folio: a self-hosted document-intelligence server."""

__version__ = "0.1.0"
