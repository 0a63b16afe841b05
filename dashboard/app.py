"""Entry point: `streamlit run dashboard/app.py`. Reads only the published snapshot."""

import sys
from pathlib import Path

import streamlit as st

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, ROOT)

from dashboard import data  # noqa: E402

st.set_page_config(page_title="Open LLM Leaderboard", page_icon="🏆", layout="wide")
page = st.navigation([
    st.Page("views/leaderboard.py", title="Leaderboard", icon="🏆", default=True),
    st.Page("views/model.py", title="Model", icon="🔎"),
    st.Page("views/queue.py", title="Queue", icon="📋"),
    st.Page("views/charts.py", title="Charts", icon="📈"),
    st.Page("views/tracks.py", title="Tracks", icon="🧭"),
])
try:
    page.run()
except data.SnapshotUnavailable as exc:
    st.info(str(exc))
