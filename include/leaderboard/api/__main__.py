"""python -m leaderboard.api: serve the API with uvicorn.

LEADERBOARD_API_HOST (default 127.0.0.1), LEADERBOARD_API_PORT (default 8000) and
LEADERBOARD_API_WORKERS (default 1) choose where and how many processes."""

from __future__ import annotations

import os

import uvicorn


def main() -> None:
    uvicorn.run("leaderboard.api.app:create_app", factory=True,
                host=os.environ.get("LEADERBOARD_API_HOST", "127.0.0.1"),
                port=int(os.environ.get("LEADERBOARD_API_PORT", "8000")),
                workers=int(os.environ.get("LEADERBOARD_API_WORKERS", "1")),
                log_level=os.environ.get("LEADERBOARD_API_LOG_LEVEL", "warning"), access_log=False)


if __name__ == "__main__":
    main()
