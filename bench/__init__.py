"""smskit's benchmarks: ``python -m bench [NAME ...]`` runs each ``bench/bench_*.py`` main()."""
