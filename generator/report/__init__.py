"""Findings as text for people and machines: text, JSON, GitHub annotations, Markdown.
Reporters only format; the checks that produce findings live in :mod:`generator.core`."""
