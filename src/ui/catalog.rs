//! The gift catalog under its old path (the model lives in [`crate::catalog`]).

pub use crate::catalog::*;
