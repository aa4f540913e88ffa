"""A raw websockets echo server (the benchmark baseline). Prints one line when ready."""

from __future__ import annotations

import asyncio
import sys

from websockets.asyncio.server import ServerConnection, serve


async def _echo(connection: ServerConnection) -> None:
    async for message in connection:
        await connection.send(message)


async def _main(port: int) -> None:
    async with serve(_echo, "127.0.0.1", port, compression=None):
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(_main(int(sys.argv[1])))
