"""Build, snapshot, measure and index the zoo's presets: ``keras-gans zoo`` (the code is
``keras_gans.preset_builder``). Kept so that ``python tools/make_preset.py ARGS`` works as
before with the same arguments, e.g.

    python tools/make_preset.py snapshot RUN DEST
    python tools/make_preset.py build RUN --name NAME --recipe RECIPE --dataset DATA --fold-ema
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from keras_gans.preset_builder import *  # noqa: E402,F401,F403  (the functions, for scripts)
from keras_gans.preset_builder import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
