"""The validation report as a self-contained HTML page (for CI artifacts)."""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

from .problems import Problem, summary_line

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}.error{color:#a40000;font-weight:600}.warning{color:#8a5a00;font-weight:600}
code{font-size:90%}
"""


def html_report(problems: list[Problem], title: str = "Validation report") -> str:
    """One page listing every problem, with counts per file."""
    problems = sorted(problems)
    per_file = Counter(p.file for p in problems)
    rows = "\n".join(
        f"<tr><td><code>{html.escape(p.place())}</code></td><td class='{p.severity}'>{p.severity}</td>"
        f"<td><code>{html.escape(p.code)}</code></td><td>{html.escape(p.message)}</td></tr>"
        for p in problems
    )
    files = "".join(f"<li><code>{html.escape(f)}</code>: {n}</li>" for f, n in sorted(per_file.items()))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{STYLE}</style></head>
<body><h1>{html.escape(title)}</h1>
<p><strong>{html.escape(summary_line(problems))}</strong></p>
<ul>{files}</ul>
<table><thead><tr><th>place</th><th>severity</th><th>code</th><th>message</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""


def write_html_report(problems: list[Problem], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    path.write_text(html_report(problems), encoding="utf-8")
    return path
