"""lsc-tui: a terminal editor for Lightspeed Core Stack and Llama Stack configuration."""

__version__ = "0.1.0"
