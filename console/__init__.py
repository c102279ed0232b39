"""The centre's web console (issue #12): the live lobby, its devices, reports and the
scorecard in a browser, and a supervisor's actions through the hub. Its own process, a
device of role `console`; reads the hub's store read-only and never writes it."""
