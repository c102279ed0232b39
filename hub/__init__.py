"""The hub: the lobby's authority over the queue."""
