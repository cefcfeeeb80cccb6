"""Reading what people send back: returned workbooks and history files (openpyxl). Bad content is a
Problem, never raised; intake knows nothing of the store, the archive or the workspace.

A return: kpixl.untrusted checks the bytes -> book.py reads the cells -> identity.py (whose, which quarter,
signed?) -> rows.py (each row matched to what kpixl wrote, then checked by rules.py) -> assess.py (one file's
verdict and figures). feedback.py writes a marked copy for the lead; history_csv.py and history_xlsx.py read
figures from before kpixl.
"""
