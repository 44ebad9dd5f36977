import sys

from compatkeras.dropin import main

sys.exit(main())
