"""Third-party platform: authorized mini-programs and official accounts, code release history (SPEC §11, §14)."""
