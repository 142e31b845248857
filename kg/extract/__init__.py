"""Extraction: one pure function of a document's text and the vocabularies (see pipeline.extract)."""
