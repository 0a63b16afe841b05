"""The leaderboard dashboard: a Streamlit app over the published snapshot."""
