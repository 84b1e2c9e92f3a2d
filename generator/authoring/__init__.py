"""Writing dossiers: command-line edits that keep comments and order (edit), and the web
editor's configuration made from the schema (editor)."""
