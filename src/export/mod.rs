//! Export shelves and lists: Goodreads-compatible CSV and our JSON model.
