"""The local agent's connection: wire protocol, devices, tokens and command runs."""
