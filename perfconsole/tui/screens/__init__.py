"""The console's screens: start, dashboard, help and small modals."""
