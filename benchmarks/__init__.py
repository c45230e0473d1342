"""phguide's benchmarks: startup, memory, round trips and scale, as same-run ratios (not tests)."""
