"""A second syntax opinion from tree-sitter-julia (Julia's published
tree-sitter grammar, a PyPI wheel listed in requirements-dev.txt): any ERROR
or MISSING node of the parse tree is reported with its line.  The
hand-written lexer stays the first check (it needs nothing installed and
gives the clearer block/bracket messages); this one knows the whole grammar.
"""
try:
    import tree_sitter
    import tree_sitter_julia
    _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_julia.language()))
except Exception:  # noqa: BLE001 - not installed, or an incompatible version
    _PARSER = None


def available():
    return _PARSER is not None


def errors(source_bytes, limit=3):
    """[(line, text)] of the first parse errors (empty when the file parses)."""
    tree = _PARSER.parse(source_bytes)
    found = []
    stack = [tree.root_node]
    while stack and len(found) < limit:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            snippet = source_bytes[node.start_byte:node.end_byte][:60].decode("utf-8", "replace")
            what = f"missing {node.type}" if node.is_missing else f"cannot parse {snippet!r}"
            found.append((node.start_point[0] + 1, what))
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return sorted(found)
