// A typed use of the SDK from a TypeScript service; `npm run typecheck` checks it strictly.
import { Asset, Client, OutcomeUnknownError, RateLimitError, type Candle, type TradingSession } from 'alura'

export async function openBtcTrade(client: Client): Promise<TradingSession> {
  try {
    return await client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: Asset.BTC })
  } catch (e) {
    if (e instanceof RateLimitError) console.warn(`rate limited, retry in ${e.retryAfter ?? '?'}s`)
    if (e instanceof OutcomeUnknownError) console.warn(`${e.operation} may have run: check before retrying`)
    throw e
  }
}

export async function lastCloses(client: Client, symbol: string): Promise<number[]> {
  const candles: Candle[] = await client.getCandles({ symbol, interval: '1h', limit: 24 })
  // Only the login's fields are promised by the API's contract: the others may be absent.
  return candles.map((c) => c.close ?? Number.NaN)
}

export async function degenWeek(client: Client): Promise<string> {
  const session = await client.createAdvanceTradingSession({
    amount: 50,
    executionStrategy: 'Degen',
    strategyDuration: '7D',
    assetIndex: Asset.SOL,
  })
  const trade = await client.getCurrentTrade()
  if (trade.id === undefined) throw new Error('the current trade has no id')
  await client.closeTrade({ tradeId: trade.id })
  return session.id ?? '(no id)'
}

export const client = new Client({ baseUrl: 'https://testnet-api.alura.fun', maxRetries: 3 })
