"""Analysis of extracted text: metadata, language."""
