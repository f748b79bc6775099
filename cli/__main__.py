"""``python -m highfence.cli``, the same as the ``highfence`` script."""

from highfence.cli import main

raise SystemExit(main())
