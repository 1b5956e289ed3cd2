"""xlalloc: an allocation engine for NHS Integrated Care Board finance teams."""

__version__ = "0.1.0"
