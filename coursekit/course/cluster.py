"""Grading on a Dask cluster: ``coursekit grade ... --scheduler tcp://HOST:8786`` or ``--cluster local``.

The client (grade.py) does everything but the submissions' runs, as on one machine: reads the
masters, skips finished records, runs each master once for its reference values, scores each
result and writes DIR. Each Dask task is ``grade_task``: a pure function of the bytes it needs
(the master notebook's bytes, scattered once per master; the student's answers; the limits) that
runs the same sandboxed worker (workers.WorkerPool) on the Dask worker and returns its result, so
workers need no shared file system and the records are those of a local batch.

Faults: a task whose Dask worker dies is run again elsewhere by the scheduler, up to its
``distributed.scheduler.allowed-failures``; past that (a submission that kills every worker it
lands on) Dask raises KilledWorker and the submission is recorded as crashed, as a local
worker's death is. A scheduler that goes away stops the batch with ClusterError; every record
written so far stays, and running the same command again grades the rest.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import tempfile
import threading
from pathlib import Path

#: How often one task may be retried after an exception in the task itself (the grader's bug
#: on a worker, not the student's: those become results).
RETRIES = 1
#: Worker deaths a task may cause before it is given up as crashed (LocalCluster; for an
#: existing scheduler, set DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES where it starts).
ALLOWED_FAILURES = 2

INSTALL = 'grading on a Dask cluster needs Dask: pip install "coursekit[cluster]"'

_pool = None
_pool_lock = threading.Lock()


class ClusterError(RuntimeError):
    """The cluster cannot be reached or went away; the message says what to do."""


def require_dask():
    try:
        import distributed
    except ImportError as err:
        raise ClusterError(f"{INSTALL} (missing: {err.name})") from None
    return distributed


def grade_task(master_name: str, master_bytes: bytes, job: dict, limit: float) -> dict:
    """Run one submission on this Dask worker: the worker result dict (workers.run_worker).

    ``master_name``: the master's file name (``99_demo.ipynb``); ``job``: answers and limits
    as a local job has them, without the master's path (a path on the client means nothing here).
    """
    global _pool
    from .sandbox import check_available
    from .workers import WorkerPool

    with _pool_lock:  # one long-lived grading process per Dask worker thread, as locally
        if _pool is None:
            if job.get("sandboxed", True):  # a worker without bubblewrap stops the batch, saying so
                check_available()
            _pool = WorkerPool()
    with tempfile.TemporaryDirectory(prefix="coursekit-dask-") as tmp:
        master = Path(tmp) / master_name
        master.write_bytes(master_bytes)
        work = Path(tmp) / "job"
        work.mkdir()
        return _pool.run(dict(job, master=str(master)), work, limit)


def _connect(target: str, jobs: int, log):
    """A Client on ``target`` (an address, or "local": a LocalCluster of ``jobs`` one-thread processes)."""
    distributed = require_dask()
    import dask

    try:
        if target == "local":
            with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
                cluster = distributed.LocalCluster(n_workers=max(1, int(jobs)), threads_per_worker=1,
                                                   processes=True, dashboard_address=":0")
            client = distributed.Client(cluster)
        else:
            cluster, client = None, distributed.Client(target, timeout="20s")
    except (OSError, TimeoutError) as err:
        raise ClusterError(f"cannot reach the Dask scheduler at {target}: {err}; is it running "
                           "(`dask scheduler`), and is the address tcp://HOST:PORT?") from None
    if client.scheduler_info().get("services", {}).get("dashboard"):
        log(f"Dask dashboard: {client.dashboard_link}")
    return cluster, client


def wait_for_workers(address: str, workers: int, timeout: float = 90) -> None:
    """Return once ``workers`` Dask workers are connected to the scheduler at ``address``, which
    may still be starting; ClusterError after ``timeout`` seconds. For scripts that start a
    cluster and grade on it at once (the benchmark, the tests, a SLURM job script)."""
    import time

    distributed = require_dask()
    give_up = time.monotonic() + timeout
    while True:
        try:
            with distributed.Client(address, timeout="5s") as client:
                client.wait_for_workers(workers, timeout=max(1.0, give_up - time.monotonic()))
            return
        except (OSError, TimeoutError) as err:
            if time.monotonic() > give_up:
                raise ClusterError(f"{workers} Dask worker(s) did not connect to {address} within "
                                   f"{timeout:g} s ({type(err).__name__}); are they started and "
                                   "pointed at this address?") from None
            time.sleep(1)


def run_on_cluster(target: str, todo: list, limits: dict, jobs: int, finish, bar, log=print) -> None:
    """Grade ``todo`` ([(sub, master, answers, copies)]) on Dask; ``finish(item, run)`` on the
    client for each result as it arrives, in the order they complete."""
    from .workers import deadline

    cluster, client = _connect(target, jobs, log)
    # The client logs a lost scheduler as a traceback; ClusterError below says it in one line.
    logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
    try:
        masters = {m.name: m for _, m, _, _ in todo}
        blobs = {name: client.scatter(m.path.read_bytes(), broadcast=False) for name, m in masters.items()}
        futures = {}
        for item in todo:
            master = item[1]
            fut = client.submit(grade_task, master.path.name, blobs[master.name],
                                dict(limits, answers=item[2]), deadline(master, limits["timeout"]),
                                pure=False, retries=RETRIES)
            futures[fut] = item
        _collect(require_dask(), futures, finish, bar, target)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _collect(distributed, futures: dict, finish, bar, target: str) -> None:
    for fut in distributed.as_completed(list(futures)):
        try:
            run = fut.result()
        except distributed.KilledWorker as err:
            run = {"worker_error": f"every Dask worker it ran on died ({err})", "returncode": -9}
        except (OSError, concurrent.futures.CancelledError, asyncio.CancelledError, TimeoutError) as err:
            raise ClusterError(f"the Dask scheduler at {target} went away ({type(err).__name__}: "
                               f"{err}); the records written so far are kept: run the same command "
                               "again to grade the rest") from None
        finish(futures.pop(fut), run)
        bar.update()
