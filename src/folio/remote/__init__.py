"""The remote CLI (``folio remote``): a running server through the ``folio_client`` SDK."""
