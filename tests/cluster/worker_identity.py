"""`[core] hostname_callable` for the cluster test's Celery workers.

Every process of the test runs on one machine, so socket.getfqdn() would give both workers the
same name. In a real deployment each worker is its own host (or container) and needs nothing
like this; here each worker process gets its own name from CLUSTER_WORKER_HOSTNAME, and Airflow
records it as the task instance's hostname."""

import os
import socket


def hostname() -> str:
    return os.environ.get("CLUSTER_WORKER_HOSTNAME") or socket.getfqdn()
