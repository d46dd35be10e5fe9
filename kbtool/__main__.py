"""Allow ``python -m kbtool``."""

from kbtool.cli import main

raise SystemExit(main())
