"""Shared test support: factories and the named personas every app's tests use."""
