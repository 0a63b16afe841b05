"""Scorers the harness ships: modules whose `process_results(doc, results)` an lm-eval task config
names. The harness copies the module next to the rendered task YAML, so each module must be
self-contained (it may import installed packages, never the harness or the platform)."""
