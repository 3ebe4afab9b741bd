"""A stand-in for a heavy framework: importing it takes IMPORT_SECONDS (like TensorFlow)."""

import time

IMPORT_SECONDS = 4.0
time.sleep(IMPORT_SECONDS)
