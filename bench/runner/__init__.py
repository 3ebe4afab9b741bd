"""The runner: executing planned jobs (``batch``) on a backend (``local``, ``dask``) through
warm worker processes (``worker``); records go to ``bench.results``. It never imports the
reports: ``bench.api`` composes "run, then report"."""
