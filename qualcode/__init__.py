"""qualcode: code qualitative interviews and synthesise the evidence for evaluations."""

__version__ = "0.1.0"
