"""Use cases, one module each: a typed request, one pipeline ``run(request)``, its writers.

A use case's module holds everything it is (as linearmodels keeps data, model and
results apart): its :class:`~xlalloc.request.Request` with every field's default, bounds
and meaning, the pipeline that computes its figures once (calling the engine and the
model's parts, never a second copy of them) and what it writes. The Python API
(:mod:`xlalloc.api`) and the command line (``cli/``, the only place that knows flag
spellings) call ``run``.
"""
