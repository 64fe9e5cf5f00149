"""Workshop mode: classes (an instructor, participants who join with a code) and guided lessons.

- ``lessons``: the lesson files (``genlab/lessons/*.toml``), their validation and their checks
- ``store``: classes and their participants on disk, the instructor code, rate limits
- ``figures``: the dashboard's charts as plotly dicts
"""
