"""Template tags of the public portal."""
