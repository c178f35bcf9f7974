"""Installs the fake CUDA (tests/fake_cuda.py) in every Python process started with this folder on PYTHONPATH and
REVBENCH_FAKE_CUDA_TOTAL_BYTES set: how the tests run reproduce.sh's CUDA branch, as a whole, without a GPU."""
import os
import sys

if os.environ.get("REVBENCH_FAKE_CUDA_TOTAL_BYTES"):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import fake_cuda  # noqa: E402

    fake_cuda.install_from_environment()
