"""The runner: plans of jobs (``plan``) and their execution (``batch``, ``executor``,
``worker``); records go to ``bench.results``.

It never imports the reports: ``bench.api`` composes "run, then report". This package imports
nothing itself, so a worker process (``python -m bench.runner.worker``) sets its thread limits
before numpy loads.
"""
