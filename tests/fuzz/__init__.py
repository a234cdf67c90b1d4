"""Property-based tests and fuzzing of every parser, and of the webhook that feeds them."""
