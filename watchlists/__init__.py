"""Official lists: one parser per publisher, each producing the same typed entries (``watchlists.model``)."""
