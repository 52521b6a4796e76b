"""The public transparency page and the open data behind it (issue 14): aggregates only."""
