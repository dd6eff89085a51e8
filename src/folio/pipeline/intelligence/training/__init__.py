"""The data recipe and training command of Folio's packaged entity model (needs the train extra)."""
