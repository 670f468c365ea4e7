//! The export list and the generated MQL include and C header.
