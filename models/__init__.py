"""Built-in model plugins, one module per model.

Each module exposes ``MODEL``, a :class:`bench.plugins.ModelSpec`, and is registered
through the ``bench.models`` entry points in ``pyproject.toml`` like any third-party plugin.
"""
