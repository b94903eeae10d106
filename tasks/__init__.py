"""Tasks: a dataset, a target and an estimation procedure with fixed splits and a seed."""
