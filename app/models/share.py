"""The article forwarding tree and article views (SPEC §13)."""
