"""Benchmarks, run on demand by `make bench` (never by `make test`)."""
