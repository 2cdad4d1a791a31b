//! The static site's search index (written in a later step).
