"""What the tests share, and no tests: every module here is a helper; every tests/test_*.py holds tests.

Imported as `support.NAME` (pytest puts tests/ on the import path through tests/conftest.py; benchmarks/ adds
it itself): `intake` (filled returns and damage done to them), `workbook` (workspaces and workbooks),
`report` (a .docx read back, the seed's report rows, a synthetic committee), `store` (submissions and
figures as the store receives them), `cli` (kpixl run in-process or as a process, the store's whole state),
`fuzz` (judging a fuzzed return), `hostile` (the hostile-file corpus), `zips` (zip files built by hand).
"""
