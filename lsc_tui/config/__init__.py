"""The pure core of lsc-tui: loading, validating, synthesizing, migrating and scanning configs.

Nothing in this package imports Textual or writes to the terminal.
"""
