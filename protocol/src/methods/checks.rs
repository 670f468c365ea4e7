//! The checks that the params of several method groups share: page sizes, symbol names and tickets. They sit here,
//! under no group, so the groups that use them do not import each other.

use crate::method::ParamsError;

/// Most items one call of a list method returns (`count` or `limit`). A range with more answers `has_more` and
/// where to continue. The largest page fits the terminal link with room to spare (10,000 history orders are about
/// 7 MB of the link's 16 MiB).
pub const MAX_PAGE_ITEMS: u32 = 10_000;

/// Checks a page's `limit` against 1..=[`MAX_PAGE_ITEMS`].
pub(crate) fn check_limit(limit: u32) -> Result<(), ParamsError> {
    if !(1..=MAX_PAGE_ITEMS).contains(&limit) {
        return Err(ParamsError::field("limit", "limit must be 1 to 10000"));
    }
    Ok(())
}

/// The default page size, for `#[serde(default)]`.
pub(crate) fn max_page() -> u32 {
    MAX_PAGE_ITEMS
}

/// Checks a symbol name in `field`.
pub(crate) fn check_symbol(field: &str, symbol: &str) -> Result<(), ParamsError> {
    if symbol.is_empty() || symbol.len() > 64 {
        return Err(ParamsError::field(field, "a symbol name has 1 to 64 characters"));
    }
    Ok(())
}

/// Checks a ticket in `field`.
pub(crate) fn check_ticket(field: &str, ticket: &str) -> Result<(), ParamsError> {
    if ticket.is_empty() || ticket.len() > 20 || !ticket.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ParamsError::field(
            field,
            "a ticket is a decimal number written as a string, for example \"123456\"",
        ));
    }
    Ok(())
}
