from __future__ import annotations


def user_group(user_id: int) -> str:
    """The channel-layer group every open page of one user joins."""
    return f"user.{user_id}"
