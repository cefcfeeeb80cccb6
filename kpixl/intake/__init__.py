"""Reading figures people send: returned workbooks and history files. Bad content is a Problem, never raised.

Returns (docs/problems.md): sniff (what a file is) -> read_return (its cells) -> identity, structure, rows,
checks, history_rules (the judgement) -> assess (one file) -> collect (validate_paths, collect_paths) and
feedback (a marked copy for the lead). Every limit on untrusted input is in limits.py, every message in
messages.py.
"""
