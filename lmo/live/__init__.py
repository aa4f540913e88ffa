"""The page socket (/ws/live/): one connection per open page; apps push to it through
lmo.live.push."""
