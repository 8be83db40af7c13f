"""A plugin module no test should import: loading it records a broken plugin."""

raise RuntimeError("imported although another provider was asked for")
