"""Running replications and folding them: the experiment, its backends and storage, running
statistics, planning, progress and benchmarks."""
