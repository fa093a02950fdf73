"""The ceiling apps: the same stack with nothing of Proto's on top."""
