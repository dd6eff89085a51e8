"""Glue between processed documents and the intelligence domains (classifiers, security
scans, recommendations, redactions): loading a team's processed document without the
documents service (which calls back into these domains), and the after-processing hook."""
