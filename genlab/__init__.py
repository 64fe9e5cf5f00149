"""GenLab: a visual, no-code lab for generative models (the library; it never imports streamlit)."""

__version__ = "0.1.0"
