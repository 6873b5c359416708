import sys

from oncotrial.cli.main import main

sys.exit(main())
