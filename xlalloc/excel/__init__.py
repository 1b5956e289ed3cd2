"""Excel adapters: xlwings user-defined functions, ribbon macros and the add-in.

Kept thin: every function here converts its inputs once, calls the engine once,
and writes back. Nothing here is needed to run xlalloc headless.
"""
