//! Actions and the ordered executor (being built).
