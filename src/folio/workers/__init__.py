"""Running jobs: the embedded worker pool, Celery workers, and the runner that records what
they report and runs the after-result steps of each domain."""
