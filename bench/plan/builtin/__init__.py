"""Built-in suites (TOML files read with importlib.resources)."""
