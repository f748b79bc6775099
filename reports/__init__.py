"""Reports for funding agencies and review committees: one model (build.py), rendered as HTML, Markdown, JSON or
XLSX, in Japanese or English."""
