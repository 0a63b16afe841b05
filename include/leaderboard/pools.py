"""Airflow pool names; their sizes live in pools.json (`airflow pools import pools.json`)."""

from pathlib import Path

POOLS_FILE = Path(__file__).with_name("pools.json")
WAREHOUSE_POOL = "leaderboard_warehouse"  # one slot: the only writer of the warehouse
EVALUATION_POOL = "leaderboard_evaluation"  # concurrent benchmark evaluations on this host
