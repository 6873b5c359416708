"""The routes, one module per area of the trial's work; each has ``pages`` (HTML) and ``api`` (JSON, mounted
under ``/api``)."""
