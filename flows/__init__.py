"""Prefect 3 flows: thin orchestration over quorum.services; flows/serve.py owns every schedule.

Importing the package prepares Prefect's environment before prefect itself is imported (its home
under the data directory, analytics off, logging configured); nothing else runs at import time.
"""

from flows.environment import prepare

prepare()
