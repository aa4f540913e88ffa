"""Serve LMO with Daphne (HTTP + WebSockets), with the options LMO relies on."""

from __future__ import annotations

import contextlib
from typing import Any

from daphne.cli import CommandLineInterface
from django.core.management.base import BaseCommand, CommandParser

from lmo.periodic import start_in_process_beat

# Daphne closes a connection whose message exceeds this (1009); every LMO socket has a
# smaller application-level cap (page socket 128 KiB: an error frame; agent socket 2 MiB:
# close 1009, agent_bridge.local_agent.protocol), so this is only the outer bound that keeps
# a misbehaving client from making the server buffer more. The frame size too: clients send
# a message as one frame, and Daphne's own default (1 MiB) dropped every agent frame between
# 1 and 2 MiB without a close code.
WEBSOCKET_MAX_MESSAGE_SIZE = 4 * 1024 * 1024


class Command(BaseCommand):
    help = "Serve LMO with Daphne on HOST:PORT and print the URL. Ctrl-C stops it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--proxy-headers",
            action="store_true",
            help="Trust X-Forwarded-For/-Port from a reverse proxy in front of LMO.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(
            self.style.SUCCESS(f"\n  LMO is running at http://{shown}:{port}/  (Ctrl-C to stop)\n")
        )
        argv = [
            "-b",
            host,
            "-p",
            str(port),
            "--websocket-max-message-size",
            str(WEBSOCKET_MAX_MESSAGE_SIZE),
            "--websocket-max-frame-size",
            str(WEBSOCKET_MAX_MESSAGE_SIZE),
            "--ping-interval",
            "20",
            "--ping-timeout",
            "30",
            "--application-close-timeout",
            "10",
        ]
        if options["proxy_headers"]:
            argv.append("--proxy-headers")
        # Embedded mode: the periodic jobs (digests, clean-ups, command deadlines) run in
        # this server process (scaled: celery beat). Started by the server, not by importing
        # lmo.asgi, so test processes and tools that import the app run no scheduler.
        start_in_process_beat()
        with contextlib.suppress(KeyboardInterrupt):
            CommandLineInterface().run([*argv, "lmo.asgi:application"])
        self.stdout.write("\n  LMO stopped.\n")
