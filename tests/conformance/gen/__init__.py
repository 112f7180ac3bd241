"""Case families of the conformance suite (one module, one JSON file each)."""
