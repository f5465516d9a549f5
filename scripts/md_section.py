"""Replace one marked section of a Markdown file (the benchmark scripts share it)."""
import os


def write_section(path, start, end, lines):
    """Writes `lines` (which begin with `start` and end with `end`) in place of the section
    between those markers in the file at `path`, or appends them when the markers are absent."""
    md = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    text = "\n".join(lines)
    if start in md and end in md:
        md = md[:md.index(start)] + text + md[md.index(end) + len(end):]
    else:
        md = md.rstrip("\n") + "\n\n" + text + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(md)
