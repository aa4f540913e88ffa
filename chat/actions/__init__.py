"""Every change to conversations and messages goes through these functions."""

from chat.actions.answers import (
    answer_message,
    continue_answer,
    finish_answer,
    resume_run,
    retry_answer,
    stop_answer,
)
from chat.actions.conversations import (
    create_conversation,
    delete_conversation,
    rename_conversation,
    set_archived,
)
from chat.actions.messages import Posted, mark_read, note_typing, post_user_message

__all__ = [
    "Posted",
    "answer_message",
    "continue_answer",
    "create_conversation",
    "delete_conversation",
    "finish_answer",
    "mark_read",
    "note_typing",
    "post_user_message",
    "rename_conversation",
    "resume_run",
    "retry_answer",
    "set_archived",
    "stop_answer",
]
