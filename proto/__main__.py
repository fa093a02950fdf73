"""Run the admin command line: ``python -m proto COMMAND``."""

from proto.cli import main

raise SystemExit(main())
