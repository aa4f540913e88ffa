"""The page socket (/ws/live/): one connection per open page, fragments pushed by apps."""
