"""The assistant's tools on the user's computers: the tool provider (one tool per declared
action), the call into the command module (``permissions.commands``) and how a finished
run reads to the model and shows in the chat."""
