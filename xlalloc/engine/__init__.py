"""The engine: allocation policy as pure functions of numpy, pandas and pydantic values.

One policy per module, each citing the guidance it implements. Nothing here reads
files, knows about sheets or the command line, or imports an Excel library.
"""
