"""``transcript-audit server``: the audit as a Language Server, for editors.

``diagnostics`` turns findings and read errors into LSP-shaped plain data
(0-based lines, UTF-16 columns) and builds the edits of code actions, with no
pygls type, so it is unit-tested on its own. ``session`` keeps the
configuration, the rules and one ``engine.Auditor`` (the model loaded once)
and audits a document's unsaved text. ``server`` is the pygls wiring:
documents, debouncing, hover, code actions, reloads.
"""
