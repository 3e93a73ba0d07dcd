"""The application layer shared by both front ends (headless and console): evaluate and save runs."""
