"""The published tree: one module per subtree; handlers parse, call the core, render."""
