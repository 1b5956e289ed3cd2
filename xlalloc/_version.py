"""xlalloc's version, in a module of its own: adapters need not import the package face."""

__version__ = "0.1.0"
