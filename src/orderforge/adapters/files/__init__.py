"""Where uploaded files' bytes live (behind the FileStore port)."""
