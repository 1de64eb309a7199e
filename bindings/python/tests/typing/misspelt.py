# Must NOT type-check: a misspelt argument and a wrong enum value.
import alura

client = alura.Client()
client.create_trading_session(budgett=100, profit_target=40, asset_index=0)
client.create_advance_trading_session(amount=50, execution_strategy="Reckless", strategy_duration="1D", asset_index=0)
