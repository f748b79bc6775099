"""Flows and the CLI: the I/O edge that wires lists, evidence, matching and the store together.

Prefect is imported only by the modules that define flows, and those are imported only when a flow runs."""
