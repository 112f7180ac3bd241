"""One module per generated target; see ../generate.py."""
