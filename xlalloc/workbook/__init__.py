"""Workbook adapters: everything that touches openpyxl lives here, not in the engine."""
