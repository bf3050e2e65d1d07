"""att: the local-authority school attendance officer's command line."""

__version__ = "0.1.0"
