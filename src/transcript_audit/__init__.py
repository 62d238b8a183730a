"""transcript-audit: lint French customer-service conversations."""

__version__ = "0.1.0"
