//! A convenience method on [`Client`] for every protocol method, each a thin wrapper over [`Client::call`].
//!
//! A test walks the protocol registry and fails when a method has no wrapper here.

use metaapi_protocol::NoParams;
use metaapi_protocol::methods::*;

use crate::{Client, ClientError};

/// Declares wrappers: methods without params take no argument, the others take their params type.
macro_rules! wrappers {
    (
        no_params: { $($(#[doc = $doc0:literal])* $name0:ident => $method0:ty;)* }
        with_params: { $($(#[doc = $doc1:literal])* $name1:ident => $method1:ty;)* }
    ) => {
        impl Client {
            $(
                $(#[doc = $doc0])*
                pub async fn $name0(&self) -> Result<<$method0 as metaapi_protocol::Method>::Result, ClientError> {
                    self.call::<$method0>(NoParams {}).await
                }
            )*
            $(
                $(#[doc = $doc1])*
                pub async fn $name1(
                    &self,
                    params: <$method1 as metaapi_protocol::Method>::Params,
                ) -> Result<<$method1 as metaapi_protocol::Method>::Result, ClientError> {
                    self.call::<$method1>(params).await
                }
            )*
        }

        /// The wire names that have a wrapper, for the completeness test.
        #[cfg(test)]
        pub(crate) const WRAPPED: &[&str] = &[
            $(<$method0 as metaapi_protocol::Method>::NAME,)*
            $(<$method1 as metaapi_protocol::Method>::NAME,)*
        ];
    };
}

wrappers! {
    no_params: {
        /// `ping`: checks that the gateway answers for this token.
        ping => Ping;
        /// `get_gateway_info`: versions, the linked terminal and its capabilities.
        get_gateway_info => GetGatewayInfo;
        /// `get_token_info`: the token's name and expiry, and this machine's device id.
        get_token_info => GetTokenInfo;
        /// `get_terminal_info`: the terminal's build, broker connection and capabilities.
        get_terminal_info => GetTerminalInfo;
        /// `get_health`: broker connection, trading permission and quote freshness.
        get_health => GetHealth;
        /// `get_server_time`: the trade server's clock and UTC offset.
        get_server_time => GetServerTime;
        /// `get_account_info`: balance, equity, margin and account settings.
        ///
        /// ```no_run
        /// # async fn example(client: metaapi_client::Client) -> Result<(), metaapi_client::ClientError> {
        /// let account = client.get_account_info().await?;
        /// assert!(account.equity >= 0.0 || account.balance < 0.0);
        /// # Ok(()) }
        /// ```
        get_account_info => GetAccountInfo;
    }
    with_params: {
        /// `get_symbols`: symbols, optionally filtered.
        get_symbols => GetSymbols;
        /// `get_symbol_spec`: the trading specification of one symbol.
        get_symbol_spec => GetSymbolSpec;
        /// `select_symbol`: adds a symbol to Market Watch or removes it.
        select_symbol => SelectSymbol;
        /// `get_quote`: bid and ask of one symbol.
        get_quote => GetQuote;
        /// `get_quotes`: quotes of several symbols.
        get_quotes => GetQuotes;
        /// `get_candles`: candles of a symbol and timeframe.
        get_candles => GetCandles;
        /// `get_ticks`: tick history (MT5 only).
        get_ticks => GetTicks;
        /// `get_book`: depth of market (MT5 only).
        get_book => GetBook;
        /// `get_positions`: open positions.
        get_positions => GetPositions;
        /// `get_position`: one open position.
        get_position => GetPosition;
        /// `get_orders`: pending orders.
        get_orders => GetOrders;
        /// `get_order`: one pending order.
        get_order => GetOrder;
        /// `get_history_orders`: closed orders, paged.
        get_history_orders => GetHistoryOrders;
        /// `get_history_deals`: deals, paged.
        get_history_deals => GetHistoryDeals;
        /// `calc_margin`: margin an order would need.
        calc_margin => CalcMargin;
        /// `calc_profit`: profit between two prices.
        calc_profit => CalcProfit;
        /// `check_order`: checks an order without sending it.
        check_order => CheckOrder;
        /// `place_order`: opens a position or places a pending order (gets a `client_id` if it has none).
        ///
        /// ```no_run
        /// # async fn example(client: metaapi_client::Client) -> Result<(), metaapi_client::ClientError> {
        /// use metaapi_client::protocol::{methods::PlaceOrderParams, types::Side};
        /// let result = client.place_order(PlaceOrderParams::market("EURUSD", Side::Buy, 0.1)).await?;
        /// println!("position {:?} at {}", result.position_id, result.price);
        /// # Ok(()) }
        /// ```
        place_order => PlaceOrder;
        /// `modify_position`: changes stop loss and take profit.
        modify_position => ModifyPosition;
        /// `close_position`: closes a position, or part of it.
        close_position => ClosePosition;
        /// `close_position_by`: closes a position by an opposite one.
        close_position_by => ClosePositionBy;
        /// `close_positions`: closes every position matching a filter.
        close_positions => ClosePositions;
        /// `modify_order`: changes a pending order.
        modify_order => ModifyOrder;
        /// `cancel_order`: deletes a pending order.
        cancel_order => CancelOrder;
        /// `get_trade_result`: the recorded outcome of a trading call by `client_id`.
        get_trade_result => GetTradeResult;
    }
}

#[cfg(test)]
mod tests {
    use metaapi_protocol::{MethodInfo, Route};

    #[test]
    fn every_http_method_has_a_wrapper() {
        let missing: Vec<&str> = metaapi_protocol::method_infos()
            .into_iter()
            .filter(|info: &MethodInfo| info.route != Route::Stream)
            .map(|info| info.name)
            .filter(|name| !super::WRAPPED.contains(name))
            .collect();
        assert!(missing.is_empty(), "methods without a Client wrapper: {missing:?}");
    }
}
