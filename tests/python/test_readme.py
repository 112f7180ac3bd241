"""The README's Python example runs as written."""
import os
import re


def test_readme_example_runs(capsys):
    readme = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")
    code = re.search(r"```python\n(.*?)```", open(readme).read(), re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own documentation
    out = capsys.readouterr().out
    assert "[12. 30.]" in out and "(2, 4)" in out
