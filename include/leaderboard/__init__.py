"""Open LLM leaderboard platform: catalogue, model sources, runners, warehouse, ranking, publishing."""
