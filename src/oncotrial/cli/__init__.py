"""The ``oncotrial`` command: parse arguments, call the core, write files and tables."""
