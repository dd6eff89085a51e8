"""Team analytics: usage, performance histograms, quality and a dashboard."""
