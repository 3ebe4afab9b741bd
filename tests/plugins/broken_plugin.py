"""A plugin module that cannot be imported (its dependency is missing)."""

import a_dependency_that_is_not_installed  # noqa: F401

MODEL = None
