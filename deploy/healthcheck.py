"""Container health check of the HTTP services in docker-compose.yaml (the image has no curl).

    python deploy/healthcheck.py URL [STATUS ...]

Healthy when URL answers with one of the STATUS codes (default 200)."""

import sys
import urllib.error
import urllib.request


def main(url: str, *statuses: str) -> int:
    accepted = {int(s) for s in statuses} or {200}
    try:
        status = urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1
    if status not in accepted:
        print(f"{url}: HTTP {status}, expected {sorted(accepted)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
