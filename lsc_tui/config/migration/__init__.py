"""Legacy to unified migration, with a proof of equivalence (see docs/migration.md)."""
