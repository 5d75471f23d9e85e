"""Tools for people working on the product, not rules of it: the demo (`load_demo`) and the
national data set and timings (`bench`, `bench_import`)."""
