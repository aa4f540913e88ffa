"""Every write to activities goes through these actions (views, consumers, tasks and the
assistant's tools call them)."""
