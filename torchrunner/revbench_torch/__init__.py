"""RevBench's PyTorch runner: the same presets, variants and options as `bench`, measured on CUDA or CPU, written
as rows in bench's CSV schema (see torchrunner/README section of the top-level README)."""
