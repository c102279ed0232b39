"""The ceiling board, its announcer, and the counter terminal."""
