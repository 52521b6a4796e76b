"""caicach."""
