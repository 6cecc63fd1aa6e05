//! The Rhai face.
