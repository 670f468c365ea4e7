//! The method catalogue, one file per group, and [`for_each_method`]: the one list of every method.
//!
//! To add a method: declare it with `method!` in its group's file, add it to `for_each_method`, add its wire example to
//! `protocol/tests/it/examples.json`, and run `cargo xtask codegen`. The registry tests fail until all of that is
//! done.

use crate::method::{Method, MethodInfo, MethodVisitor};

/// Declares a method type and its [`Method`](crate::Method) impl.
///
/// The first doc line is the summary. `requires Capability` makes the gateway answer `unsupported` without asking a
/// terminal that lacks the capability; `trading` marks an idempotent trading call whose params carry `client_id`.
macro_rules! method {
    (
        #[doc = $summary:literal]
        $(#[doc = $more:literal])*
        $ty:ident = $name:literal, $category:ident, $route:ident, $params:ty => $result:ty
        $(, requires $cap:ident)?
        , trading
    ) => {
        method!(@declare [$summary $($more)*] $ty $name $category $route $params, $result, [$($cap)?], {
            const TRADING: bool = true;
            fn client_id(params: &Self::Params) -> Option<&str> {
                params.client_id.as_deref()
            }
            fn set_client_id(params: &mut Self::Params, client_id: String) {
                params.client_id = Some(client_id);
            }
        });
    };
    (
        #[doc = $summary:literal]
        $(#[doc = $more:literal])*
        $ty:ident = $name:literal, $category:ident, $route:ident, $params:ty => $result:ty
        $(, requires $cap:ident)?
    ) => {
        method!(@declare [$summary $($more)*] $ty $name $category $route $params, $result, [$($cap)?], {});
    };
    (@declare [$summary:literal $($more:literal)*] $ty:ident $name:literal $category:ident $route:ident
        $params:ty, $result:ty, [$($cap:ident)?], { $($extra:tt)* }) => {
        #[doc = $summary]
        $(#[doc = $more])*
        #[doc = ""]
        #[doc = concat!("Wire name: `", $name, "`.")]
        #[derive(Debug)]
        pub enum $ty {}

        impl $crate::Method for $ty {
            const NAME: &'static str = $name;
            const SUMMARY: &'static str = $summary.trim_ascii();
            const CATEGORY: $crate::Category = $crate::Category::$category;
            const ROUTE: $crate::Route = $crate::Route::$route;
            $(const REQUIRES: Option<$crate::types::Capability> = Some($crate::types::Capability::$cap);)?
            type Params = $params;
            type Result = $result;
            $($extra)*
        }
    };
}

/// Implements [`Validate`](crate::Validate) with no checks beyond the type's own.
macro_rules! no_extra_validation {
    ($($ty:ty),* $(,)?) => {
        $(impl $crate::Validate for $ty {})*
    };
}

pub mod account;
pub mod calculations;
mod checks;
pub mod history;
pub mod market;
pub mod positions;
pub mod session;
pub mod streaming;
pub mod trading;

pub use account::*;
pub use calculations::*;
pub use checks::MAX_PAGE_ITEMS;
pub use history::*;
pub use market::*;
pub use positions::*;
pub use session::*;
pub use streaming::*;
pub use trading::*;

/// Walks every method, in registry order (grouped as the docs present them). This is the one list of methods.
pub fn for_each_method<V: MethodVisitor>(visitor: &mut V) {
    // Session and health.
    visitor.visit::<Ping>();
    visitor.visit::<GetGatewayInfo>();
    visitor.visit::<GetTokenInfo>();
    visitor.visit::<GetTerminalInfo>();
    visitor.visit::<GetHealth>();
    visitor.visit::<GetServerTime>();
    // Account.
    visitor.visit::<GetAccountInfo>();
    // Symbols and market data.
    visitor.visit::<GetSymbols>();
    visitor.visit::<GetSymbolSpec>();
    visitor.visit::<SelectSymbol>();
    visitor.visit::<GetQuote>();
    visitor.visit::<GetQuotes>();
    visitor.visit::<GetCandles>();
    visitor.visit::<GetTicks>();
    visitor.visit::<GetBook>();
    // Positions and orders.
    visitor.visit::<GetPositions>();
    visitor.visit::<GetPosition>();
    visitor.visit::<GetOrders>();
    visitor.visit::<GetOrder>();
    // History.
    visitor.visit::<GetHistoryOrders>();
    visitor.visit::<GetHistoryDeals>();
    // Calculations.
    visitor.visit::<CalcMargin>();
    visitor.visit::<CalcProfit>();
    visitor.visit::<CheckOrder>();
    // Trading.
    visitor.visit::<PlaceOrder>();
    visitor.visit::<ModifyPosition>();
    visitor.visit::<ClosePosition>();
    visitor.visit::<ClosePositionBy>();
    visitor.visit::<ClosePositions>();
    visitor.visit::<ModifyOrder>();
    visitor.visit::<CancelOrder>();
    visitor.visit::<GetTradeResult>();
    // Streaming (WebSocket only).
    visitor.visit::<Subscribe>();
    visitor.visit::<Unsubscribe>();
    visitor.visit::<ListSubscriptions>();
    visitor.visit::<GetSnapshot>();
}

/// Every method's facts, in registry order.
pub fn method_infos() -> Vec<MethodInfo> {
    struct Collect(Vec<MethodInfo>);
    impl MethodVisitor for Collect {
        fn visit<M: Method>(&mut self) {
            self.0.push(MethodInfo::of::<M>());
        }
    }
    let mut collect = Collect(Vec::new());
    for_each_method(&mut collect);
    collect.0
}

/// The facts of the method called `name`, if there is one.
pub fn method_info(name: &str) -> Option<MethodInfo> {
    method_infos().into_iter().find(|info| info.name == name)
}
