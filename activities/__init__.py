"""Activities captured from the user's machine, imports and the dashboard."""
