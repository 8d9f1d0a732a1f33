//! TODO(founder): settings (being built).
