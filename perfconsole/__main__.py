import sys

from perfconsole.cli import main

sys.exit(main())
