"""Tables, workbooks and feeds: CSV/JSON/Excel exports, the 台账 workbook and its import,
calendar feeds (ics)."""
