import { BadRequestException, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CandleHistoryQueryDto, CandleLimitQueryDto, INTERVALS, IntervalQueryDto, PageQueryDto } from './dto.js';
import { Db, REFERENCE_PRICES, SYMBOLS, dec2, now } from './store.js';

const INTERVAL_MS: Record<string, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};
// Hyperliquid's price and size precisions per asset (6 - szDecimals for prices).
const PRICE_DECIMALS = [1, 2, 3, 4, 5, 3];
const SIZE_DECIMALS = [5, 4, 2, 0, 0, 2];

/** A smooth, deterministic price path: the same (asset, time) always gives the same price. */
function priceAt(asset: number, t: number): number {
  const h = t / 3_600_000;
  return REFERENCE_PRICES[asset] * (1 + 0.03 * Math.sin(h / 29 + asset) + 0.01 * Math.sin(h / 3.7 + 2 * asset) + 0.002 * Math.sin(h * 1.9));
}

/** Stable pseudo-random number in [0, 1) for a candle. */
function noise(asset: number, t: number): number {
  const x = Math.sin((t / 60_000) * 12.9898 + asset * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

/** One candle in Hyperliquid's candleSnapshot form: numbers for times/counts, strings for prices/volume. */
function candle(asset: number, interval: string, t: number) {
  const ms = INTERVAL_MS[interval];
  const o = priceAt(asset, t);
  const c = priceAt(asset, t + ms);
  const wick = 0.001 * (1 + noise(asset, t));
  const n = 20 + Math.floor(noise(asset, t + 1) * 500 * Math.sqrt(ms / 60_000));
  const pd = PRICE_DECIMALS[asset];
  return {
    t,
    T: t + ms - 1,
    s: SYMBOLS[asset],
    i: interval,
    o: o.toFixed(pd),
    c: c.toFixed(pd),
    h: (Math.max(o, c) * (1 + wick)).toFixed(pd),
    l: (Math.min(o, c) * (1 - wick)).toFixed(pd),
    v: ((n * 250) / REFERENCE_PRICES[asset]).toFixed(SIZE_DECIMALS[asset]),
    n,
  };
}

/** Closed candles only: `limit` of them ending at the last one closed by endTime (or now), or starting at startTime. */
function candles(asset: number, interval: string, limit: number, startTime?: number, endTime?: number) {
  const ms = INTERVAL_MS[interval];
  const end = Math.min(endTime ?? Date.now(), Date.now());
  const last = Math.floor((end + 1) / ms) * ms - ms;
  const first = startTime === undefined ? last - (limit - 1) * ms : Math.ceil(startTime / ms) * ms;
  const out = [];
  for (let t = first; t <= last && out.length < limit; t += ms) out.push(candle(asset, interval, t));
  return out;
}

function assetOf(symbol: string): number {
  const asset = SYMBOLS.indexOf(symbol.toUpperCase());
  if (asset < 0) throw new BadRequestException(`Unsupported symbol: ${symbol}`);
  return asset;
}

function checkInterval(interval: string): string {
  if (!INTERVALS.includes(interval)) throw new BadRequestException(`Unsupported interval: ${interval}`);
  return interval;
}

function signal(asset: number, interval: string) {
  const closes = candles(asset, interval, 30).map((k) => Number(k.c));
  let gains = 0;
  let losses = 0;
  for (let i = closes.length - 14; i < closes.length; i++) {
    const d = closes[i] - closes[i - 1];
    if (d > 0) gains += d;
    else losses -= d;
  }
  const rsi = losses === 0 ? 100 : 100 - 100 / (1 + gains / losses);
  const sma20 = closes.slice(-20).reduce((a, b) => a + b, 0) / 20;
  const ema12 = closes.reduce((ema, c) => ema + (2 / 13) * (c - ema), closes[0]);
  const pd = PRICE_DECIMALS[asset];
  return {
    symbol: SYMBOLS[asset],
    interval,
    signal: rsi < 45 ? 'buy' : rsi > 55 ? 'sell' : 'hold',
    strength: Math.min(1, Math.abs(rsi - 50) / 25).toFixed(2),
    indicators: { rsi: rsi.toFixed(1), sma20: sma20.toFixed(pd), ema12: ema12.toFixed(pd) },
    timestamp: now(),
  };
}

@ApiTags('indicators')
@Controller('api/indicators')
export class IndicatorsController {
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('candles/latest')
  latestCandles(@Query() query: IntervalQueryDto) {
    const interval = query.interval ?? '1m';
    return SYMBOLS.map((symbol, asset) => ({ symbol, interval, candle: candles(asset, interval, 1)[0] }));
  }

  // Declared before 'candles/:symbol/:interval': Express matches routes in declaration order.
  @Get('candles/history/:symbol')
  candleHistory(@Param('symbol') symbol: string, @Query() query: CandleHistoryQueryDto) {
    const asset = assetOf(symbol);
    const interval = query.interval ?? '1h';
    const list = candles(asset, interval, query.limit ?? 100, query.startTime, query.endTime);
    return { symbol: SYMBOLS[asset], interval, count: list.length, candles: list };
  }

  @Get('candles/aggregated/symbols')
  symbols() {
    return { symbols: SYMBOLS };
  }

  @Get('candles/:symbol/:interval')
  candlesByInterval(@Param('symbol') symbol: string, @Param('interval') interval: string, @Query() query: CandleLimitQueryDto) {
    return candles(assetOf(symbol), checkInterval(interval), query.limit ?? 100);
  }

  @Get('signals/all/:interval')
  allSignals(@Param('interval') interval: string) {
    checkInterval(interval);
    return SYMBOLS.map((_, asset) => signal(asset, interval));
  }

  @Get('signals/:symbol/:interval')
  signals(@Param('symbol') symbol: string, @Param('interval') interval: string) {
    return signal(assetOf(symbol), checkInterval(interval));
  }
}

@ApiTags('leaderboard')
@Controller('api/leaderboard')
export class LeaderboardController {
  constructor(private readonly db: Db) {}

  /** Everyone ranked by realized pnl over all their trades; roi is pnl over budgets committed. */
  private ranked() {
    const rows = [...this.db.users.values()].map((u) => {
      const pnl = [...this.db.trades.values()].filter((t) => t.userId === u.id).reduce((a, t) => a + Number(t.pnl), 0);
      const budget = [...this.db.sessions.values()].filter((s) => s.userId === u.id).reduce((a, s) => a + Number(s.budget), 0);
      return { userId: u.id, address: u.address, pnl, roi: budget ? pnl / budget : 0 };
    });
    rows.sort((a, b) => b.pnl - a.pnl);
    return rows.map((r, i) => ({ rank: i + 1, userId: r.userId, address: r.address, pnl: dec2(r.pnl), roi: r.roi.toFixed(4) }));
  }

  @Get('stats')
  stats() {
    const ranked = this.ranked();
    return {
      totalTraders: ranked.length,
      totalTrades: this.db.trades.size,
      totalPnl: dec2(ranked.reduce((a, r) => a + Number(r.pnl), 0)),
      updatedAt: now(),
    };
  }

  @Get('rankings')
  rankings(@Query() query: PageQueryDto) {
    const page = query.page ?? 1;
    const limit = query.limit ?? 20;
    const all = this.ranked();
    return { data: all.slice((page - 1) * limit, page * limit), total: all.length, page, limit };
  }

  @Get('user/:userId')
  userRanking(@Param('userId', ParseUUIDPipe) userId: string) {
    const entry = this.ranked().find((r) => r.userId === userId);
    if (!entry) throw new NotFoundException('User not found');
    return entry;
  }

  @Get('analytics')
  analytics() {
    const positions = [...this.db.positions.values()];
    const since = Date.now() - 86_400_000;
    return {
      activeSessions: [...this.db.sessions.values()].filter((s) => s.status === 'active').length,
      openPositions: positions.filter((p) => p.status === 'open').length,
      closedPositions: positions.filter((p) => p.status === 'closed').length,
      volume24h: dec2(
        [...this.db.sessions.values()].filter((s) => Date.parse(s.createdAt) >= since).reduce((a, s) => a + Number(s.budget), 0),
      ),
    };
  }

  @Get('health')
  health() {
    return { status: 'ok' };
  }
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  @Get()
  check() {
    return { status: 'ok', timestamp: now() };
  }

  @Get('kafka')
  kafka() {
    return { status: 'ok', kafka: 'connected' }; // no broker here; the real service reports its consumer state
  }
}
