"""Brokers: the embedded private broker of the default run, and the production Mosquitto
configuration generator."""
