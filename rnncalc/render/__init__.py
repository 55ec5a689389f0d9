"""Renderers: each turns a record into text or a rich renderable, nothing more."""
