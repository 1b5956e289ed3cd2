"""The model workbook: its layout (schema), reading its inputs, and running it."""
