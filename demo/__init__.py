"""Tools that run a lobby on one machine: the demo's process supervisor and the simulated day
(also the load generator). Registered into the `lobby` command through its entry points."""
