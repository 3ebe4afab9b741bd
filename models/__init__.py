"""Built-in model plugins, one module per model, each exposing ``MODEL`` (a
:class:`bench.plugins.ModelSpec`) through the ``bench.models`` entry points, as any plugin."""
