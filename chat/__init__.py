"""Conversations with the assistant, the live chat and the LangGraph pipeline."""
