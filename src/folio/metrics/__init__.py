"""Prometheus metrics (docs/operations/metrics.md): the collectors every process writes to, the
multiprocess store that adds them up, and ``GET /metrics`` with its access rule.

Labels hold only bounded values (route templates, statuses, kinds, engines), never a team's or
a document's id: each distinct label set is a time series kept forever.
"""
