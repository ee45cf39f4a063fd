"""Reports: exports (deck, workbook, JSON), imports, comparison year over year, and a flywheel's history."""
