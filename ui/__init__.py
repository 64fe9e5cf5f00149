"""Streamlit-side helpers shared by the pages (the library itself lives in genlab/)."""
