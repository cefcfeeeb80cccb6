"""The spreadsheets kpixl writes, with xlsxwriter (the only place that imports it): collection workbooks
(one signed .xlsx per service and quarter, for the lead to fill in), the register template and export, and
the figures export. See docs/workbooks.md for the design."""
