"""Company website content and global website templates (6.x)."""
