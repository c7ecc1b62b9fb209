-- Actions that change several things at once (coding a span of units) are undone and redone as one:
-- events of one transaction by one coder share an action_group (the id of the group's first event).
ALTER TABLE events ADD COLUMN action_group INTEGER;
