"""A plugin module that ends the interpreter when imported (isolated by the loader)."""

raise SystemExit(3)
