"""The cell maps shared by kpixl's writers and readers, so that the two cannot drift: returns.py for the
collection workbook (Return sheet, metadata, feedback sheet), register.py for the register's sheets and
columns (workbook and YAML alike). Pure: standard library and the domain only."""
