"""Background job records (SPEC §7)."""
