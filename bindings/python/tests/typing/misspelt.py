# Must NOT type-check: a misspelt argument, a wrong enum value or interval, a misspelt option, wrong result types.
import alura

client = alura.Client()
client.create_trading_session(budgett=100, profit_target=40, asset_index=0)
client.create_advance_trading_session(amount=50, execution_strategy="Reckless", strategy_duration="1D", asset_index=0)
client.get_candles("BTC", "2h")
client.get_symbols(timeot=5)
raw: int = client.with_raw_response.get_profile()
patient: alura.AsyncClient = client.with_options(max_retries=5)
