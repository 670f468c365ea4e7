//! MQL consistency checks (filled in with the MQL sources).
