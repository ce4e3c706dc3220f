"""In-tree activity plugins. Each folder is one activity; none imports another."""
