"""The assistant: a LangGraph graph (classify -> parse -> execute -> respond), its tools,
its models (an OpenAI-compatible endpoint or the offline assistant) and its checkpoints."""
