"""A light HTTP/1.1 load generator: asyncio, raw sockets, keep-alive, standard library only
(uvloop when importable). Run it as its own process so its CPU is not the server's GIL:

    python tests/benchmarks/loadgen.py < spec.json

The spec is {"host", "port", "paths": [...], "headers": {...}, "requests", "concurrency"}: a
closed loop of `concurrency` connections, each sending its next GET as soon as the previous
answer is read, round-robin over `paths`, until `requests` answers are in. Prints one JSON object:
requests, errors, statuses, per_second, p50_ms, p95_ms, p99_ms, and the generator's own CPU
seconds (`cpu_s`) so a reader can see whether the generator or the server was the bottleneck.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time


def _request_bytes(host: str, port: int, path: str, headers: dict) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; its status, and whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    keep_alive = b"\r\nconnection: close" not in lower
    start = lower.find(b"\r\ncontent-length:")
    if start >= 0:
        end = lower.index(b"\r\n", start + 2)
        await reader.readexactly(int(lower[start + 17:end]))
    elif b"\r\ntransfer-encoding: chunked" in lower:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, keep_alive


async def _run(spec: dict) -> dict:
    host, port = spec["host"], spec["port"]
    requests = [_request_bytes(host, port, p, spec.get("headers", {})) for p in spec["paths"]]
    total, concurrency = spec["requests"], spec["concurrency"]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    issued = 0

    async def connection(offset: int) -> None:
        nonlocal issued
        reader, writer = await asyncio.open_connection(host, port)
        n = offset
        while issued < total:
            issued += 1
            started = time.perf_counter()
            writer.write(requests[n % len(requests)])
            status, keep_alive = await _read_response(reader)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            n += 1
            if not keep_alive:
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
        writer.close()

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    await asyncio.gather(*(connection(i * 7) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    latencies.sort()
    count = len(latencies)
    return {
        "requests": count,
        "errors": count - statuses.get(200, 0),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(elapsed, 3),
        "per_second": round(count / elapsed, 1),
        "p50_ms": round(latencies[count // 2], 2),
        "p95_ms": round(latencies[max(0, int(count * 0.95) - 1)], 2),
        "p99_ms": round(latencies[max(0, int(count * 0.99) - 1)], 2),
        "cpu_s": round(cpu_after.ru_utime + cpu_after.ru_stime
                       - cpu_before.ru_utime - cpu_before.ru_stime, 3),
    }


def main() -> int:
    spec = json.load(sys.stdin)
    try:
        import uvloop  # a faster event loop when installed (uvicorn's own dependency)

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    print(json.dumps(runner(_run(spec))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
