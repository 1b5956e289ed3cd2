"""Model parts added as modules: each module here registers one part, and runs with the rest.

A module here calls :func:`xlalloc.model.parts.register` with its
:class:`~xlalloc.model.parts.ModelPart`: the Policy fields it reads, its run step, its
tables and its output sheets with the function that draws them. Every module here is
imported after the built-in parts are registered (:mod:`xlalloc.model.parts`), so a
part added as a module of its own is run, written, checked and documented with no
other file changed (``docs/extending.md``). xlalloc's own parts live in
:mod:`xlalloc.model.parts`; this package ships empty.
"""
