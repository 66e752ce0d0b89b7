"""`python -m pipeline` runs the ogi command line."""
from pipeline.cli import main

main()
