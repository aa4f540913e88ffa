from agent_bridge.local_agent.cli import main

raise SystemExit(main())
