"""Flows: the I/O edge that wires lists, evidence, matching and the store together.

Each step is a plain function; the Prefect flows (``screen``, ``demo``, the scheduled ones in ``deploy``) run them as
tasks. ``engine.run_flow`` decides whether a command goes through Prefect or runs the steps in-process. Prefect is
imported only by the modules that define flows, and those are imported only when a flow runs."""
