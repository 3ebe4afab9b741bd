"""A plugin module that raises KeyboardInterrupt while being imported."""

raise KeyboardInterrupt
