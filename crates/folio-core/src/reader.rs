//! The Markdown reader: comrak's AST → model blocks, one chapter at a time.
