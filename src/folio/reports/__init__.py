"""Reports of usage, performance, compliance, audit and PII, built in the background."""
