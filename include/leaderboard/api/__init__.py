"""The public read-only HTTP API over the published snapshot (see app.py)."""

from leaderboard.api.app import API_PREFIX, create_app

__all__ = ["API_PREFIX", "create_app"]
