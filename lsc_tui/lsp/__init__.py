"""lsc-tui's language server (``lsc-tui lsp``): the core's findings, fixes, documentation and
synthesized run.yaml in any editor that speaks the Language Server Protocol."""
