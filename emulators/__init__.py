"""Hardware the lobby talks to, emulated at its lowest layer for the tests and the
benchmarks (both import it; neither imports the other): a thermal printer on a socat pty.
Not part of the installed package."""
