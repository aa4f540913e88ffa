from __future__ import annotations


class ChatInputError(ValueError):
    """Input the user must fix; the message is shown to them as is."""


class ChatNotFoundError(ChatInputError):
    """The input names a message that is not in the conversation (gone, or another
    user's): a 404 for programs, the same message for people."""
