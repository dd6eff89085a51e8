from tests.templates.conftest import deed_batch, deed_files, invoice_doc  # noqa: F401
