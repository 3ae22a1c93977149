"""The `newsbot` command's subcommands: scan, demo, run."""
