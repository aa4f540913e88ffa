"""``lmo-agent [pair|run|status] [--config PATH]``, the same as
``python -m agent_bridge.local_agent …``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import platform
import signal
import socket
import sys
from pathlib import Path

from agent_bridge.local_agent import VERSION
from agent_bridge.local_agent.client import Agent, Fatal
from agent_bridge.local_agent.config import (
    ConfigError,
    default_config_path,
    load,
    save_token,
    websocket_url,
    write_initial,
)
from agent_bridge.local_agent.pairing import PairingFailed, pair
from agent_bridge.local_agent.state import State


def _prog() -> str:
    """How the user started us, to repeat in usage and hints: where the agent was installed
    alone (pipx), ``python`` is not its interpreter and only ``lmo-agent`` works."""
    if Path(sys.argv[0]).stem == "lmo-agent":
        return "lmo-agent"
    return "python -m agent_bridge.local_agent"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_prog(),
        description="The LMO agent: lets your LMO assistant act on this computer, within the policy in its config.",
    )
    parser.add_argument(
        "--config", type=Path, help=f"config file (default {default_config_path()})"
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--version", action="version", version=f"lmo-agent {VERSION}")
    commands = parser.add_subparsers(dest="command")
    p = commands.add_parser("pair", help="pair this computer with an LMO server")
    p.add_argument(
        "--server", required=True, help="e.g. https://lmo.example.com or http://127.0.0.1:8000"
    )
    p.add_argument("--name", default=socket.gethostname(), help="this computer's name in LMO")
    p.add_argument("--token", help="use a token made in Settings → Apps instead of a code")
    p.add_argument("--insecure", action="store_true", help="allow http:// to a non-loopback host")
    commands.add_parser("run", help="connect and serve commands (the default)")
    commands.add_parser("status", help="show the configuration, the policy and the outbox")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    path: Path = (args.config or default_config_path()).expanduser()
    try:
        if args.command == "pair":
            return _pair(args, path)
        if args.command == "status":
            return _status(path)
        return _run(path)
    except (ConfigError, PairingFailed, Fatal) as exc:
        print(f"lmo-agent: {exc}", file=sys.stderr)
        return 2


def _pair(args: argparse.Namespace, path: Path) -> int:
    websocket_url(args.server, insecure=args.insecure)  # refuse ws:// off-machine before anything
    if args.token:
        token = args.token.strip()
    else:

        def show(code: str, uri: str, expires: int) -> None:
            print(
                f"\n  Enter this code in LMO → Settings → Apps:  {code}\n  ({uri}, valid {expires // 60} minutes)\n",
                flush=True,
            )

        platform_name = f"{platform.system()} {platform.release()}"
        token = pair(args.server, name=args.name, platform=platform_name, show=show)["token"]
    write_initial(path, server=args.server, name=args.name, insecure=args.insecure)
    token_path = save_token(path, token)
    print(f"Paired. Config: {path}; token: {token_path} (readable only by you).")
    print(f"Start the agent with: {_prog()} run")
    return 0


def _status(path: Path) -> int:
    config = load(path)
    state = State(config.state_path)
    print(f"config:     {config.path}")
    print(f"server:     {config.server}  ({config.websocket_url()})")
    print(f"name:       {config.name}")
    print(
        f"token:      {'present' if config.read_token() else 'missing: pair first'} ({config.token_path})"
    )
    print(f"connectors: {', '.join(k for k, v in config.connectors.items() if v) or 'none'}")
    print(f"folders:    {', '.join(str(r) for r in config.roots) or 'none'}")
    print(f"shell:      {', '.join(config.shell_allow) or 'nothing allowed'}")
    print(f"apps:       {', '.join(config.apps) or 'none'}")
    print(f"mcp:        {', '.join(f'{m.name} ({m.command})' for m in config.mcp) or 'none'}")
    print(f"outbox:     {state.outbox_size()} activities waiting")
    print(f"unfinished: {len(state.holding())} command results waiting for the server")
    return 0


def _run(path: Path) -> int:
    config = load(path)
    token = config.read_token()
    if not token:
        raise ConfigError(f"No token in {config.token_path}: pair first.")
    agent = Agent(config, token)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows
                loop.add_signal_handler(sig, agent.stop)
        await agent.run()

    asyncio.run(main())
    return 0
