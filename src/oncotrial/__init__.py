"""oncotrial: phase II cancer immunotherapy trials, from the protocol to the results table."""

__version__ = "0.1.0"
