"""Headless runs for scripts and CI: progress on stderr, data on stdout, exit codes as an API."""
