"""The LMO local agent: runs on the user's computer, connects out to their LMO server,
and carries out the commands it allows. It never imports Django (only the shared wire
protocol, ``agent_bridge.local_agent.protocol``, which the server imports too)."""

VERSION = "0.1.0"
