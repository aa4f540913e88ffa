from __future__ import annotations


class ChatInputError(ValueError):
    """Input the user must fix; the message is shown to them as is."""
