"""Streaming operators, one per module; `registry.make_operator(spec)` instantiates them."""
