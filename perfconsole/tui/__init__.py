"""The Textual console. Importing this package imports Textual: entry points import ``locust`` first."""
