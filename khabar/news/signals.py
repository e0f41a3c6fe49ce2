"""The content's events, for the apps above it to listen to without `news` knowing them."""

from django.dispatch import Signal

# What readers see of a story has changed: it was published, unpublished, or its public text or
# byline changed (a save of a published story, a correction, a restore). Sent with
# `article=<the saved Article>` inside the transaction that changed it, so a listener writing
# to the same database (the search index) commits or rolls back with the story. Listeners must
# not call out to other services from here: a rolled-back change would already be announced.
story_changed = Signal()

# What readers see of a story's comments has changed (a comment approved, rejected, edited or
# erased, the count with it). Sent with `article_id=<pk>` inside the moderation transaction;
# the same rule holds: listeners defer any call out to after the commit.
comments_changed = Signal()
