"""A plugin module that takes 1.5 s to import (as one importing TensorFlow at the top would)."""

import time

time.sleep(1.5)

MODEL = None
