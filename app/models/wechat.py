"""WeChat state: component settings, authorized apps, code releases (SPEC §11)."""
