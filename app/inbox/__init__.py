"""Each person's in-app inbox: what was given to them, with a link that opens it."""
