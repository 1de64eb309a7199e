import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  CanActivate,
  ConsoleLogger,
  ExecutionContext,
  Injectable,
  LogLevel,
  NotFoundException,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Wallet, hexlify, randomBytes } from 'ethers';

// Hyperliquid perp indices 0..5 and the fixed prices every fake fill is derived from.
export const SYMBOLS = ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'AVAX'];
export const REFERENCE_PRICES = [65000, 3200, 150, 0.55, 0.12, 28];

// Postgres `numeric` columns come back from TypeORM as strings with the column's scale.
export const usdc = (n: number) => n.toFixed(6);
export const dec8 = (n: number) => n.toFixed(8);
export const dec2 = (n: number) => n.toFixed(2);
export const now = () => new Date().toISOString();

// Rows as the real service's TypeORM entities serialize them.
export interface UserRow {
  id: string;
  address: string;
  balance: string;
  totalDeposited: string;
  referralCode: string;
  referredBy: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface SessionRow {
  id: string;
  userId: string;
  type: 'quick' | 'advance';
  status: 'active' | 'closed';
  assetIndex: number;
  budget: string;
  profitTarget: string | null;
  lossThreshold: string | null;
  maxPositions: number | null;
  executionStrategy: string | null;
  strategyDuration: string | null;
  maxWalletBudget: boolean;
  createdAt: string;
  updatedAt: string;
}
export interface TradeRow {
  id: string;
  sessionId: string;
  userId: string;
  status: 'open' | 'closed';
  assetIndex: number;
  pnl: string;
  openedAt: string;
}
export interface PositionRow {
  id: string;
  tradeId: string;
  symbol: string;
  side: 'long' | 'short';
  size: string;
  entryPrice: string;
  markPrice: string;
  unrealizedPnl: string;
  status: 'open' | 'closed';
  openedAt: string;
}
export interface LogRow {
  id: string;
  sessionId: string;
  tradeId: string | null;
  level: 'info' | 'warn' | 'error';
  message: string;
  createdAt: string;
}
export interface DepositRow {
  id: string;
  userId: string;
  txHash: string;
  amount: string;
  status: 'verified';
  createdAt: string;
}

/** The whole "database": plain maps, lost on restart, which is what tests want. */
@Injectable()
export class Db {
  readonly users = new Map<string, UserRow>();
  readonly challenges = new Map<string, { nonce: string; message: string }>(); // key: lowercased address
  readonly sessions = new Map<string, SessionRow>();
  readonly trades = new Map<string, TradeRow>();
  readonly positions = new Map<string, PositionRow>();
  readonly logs: LogRow[] = [];
  readonly deposits = new Map<string, DepositRow>(); // key: lowercased tx hash
  // Per-user Hyperliquid agent wallets; the private key never leaves this map.
  readonly agents = new Map<string, { wallet: Wallet; createdAt: string }>();

  userByAddress(address: string): UserRow | undefined {
    return [...this.users.values()].find((u) => u.address.toLowerCase() === address.toLowerCase());
  }

  createUser(address: string, referredBy: string | null): UserRow {
    const at = now();
    const user: UserRow = {
      id: randomUUID(),
      address,
      balance: usdc(10000),
      totalDeposited: usdc(0),
      referralCode: randomCode(8, true),
      referredBy,
      createdAt: at,
      updatedAt: at,
    };
    this.users.set(user.id, user);
    return user;
  }

  agentFor(userId: string) {
    let agent = this.agents.get(userId);
    if (!agent) {
      // A raw random key instead of Wallet.createRandom(): no mnemonic derivation, much faster.
      agent = { wallet: new Wallet(hexlify(randomBytes(32))), createdAt: now() };
      this.agents.set(userId, agent);
    }
    return agent;
  }

  log(sessionId: string, tradeId: string | null, message: string, level: LogRow['level'] = 'info') {
    this.logs.push({ id: randomUUID(), sessionId, tradeId, level, message, createdAt: now() });
  }

  /** Opens a session plus its trade, refusing a second active session on the same asset. */
  openSession(user: UserRow, fields: Partial<SessionRow> & Pick<SessionRow, 'type' | 'assetIndex' | 'budget'>, positions: number) {
    const duplicate = [...this.sessions.values()].some(
      (s) => s.userId === user.id && s.status === 'active' && s.assetIndex === fields.assetIndex,
    );
    if (duplicate) {
      throw new BadRequestException('Duplicate asset index: you already have an active trading session for this asset');
    }
    const at = now();
    // Defaults first so keys keep the entity's column order; Object.assign keeps positions.
    const session: SessionRow = Object.assign(
      {
        id: randomUUID(),
        userId: user.id,
        type: fields.type,
        status: 'active' as const,
        assetIndex: fields.assetIndex,
        budget: fields.budget,
        profitTarget: null,
        lossThreshold: null,
        maxPositions: null,
        executionStrategy: null,
        strategyDuration: null,
        maxWalletBudget: false,
        createdAt: at,
        updatedAt: at,
      },
      fields,
    );
    this.sessions.set(session.id, session);
    this.log(session.id, null, `Session created (${session.type}) for ${SYMBOLS[session.assetIndex]}`);

    const trade: TradeRow = {
      id: randomUUID(),
      sessionId: session.id,
      userId: user.id,
      status: 'open',
      assetIndex: session.assetIndex,
      pnl: dec8(0),
      openedAt: at,
    };
    this.trades.set(trade.id, trade);
    const mark = REFERENCE_PRICES[session.assetIndex];
    for (let i = 0; i < positions; i++) {
      // Entries a few basis points above the reference so each position differs but runs stay reproducible.
      const entry = mark * (1 + 0.0003 * (i + 1));
      const size = Number(session.budget) / entry / positions;
      const position: PositionRow = {
        id: randomUUID(),
        tradeId: trade.id,
        symbol: SYMBOLS[session.assetIndex],
        side: 'long',
        size: dec8(size),
        entryPrice: dec8(entry),
        markPrice: dec8(mark),
        unrealizedPnl: dec8((mark - entry) * size),
        status: 'open',
        openedAt: at,
      };
      this.positions.set(position.id, position);
    }
    this.log(session.id, trade.id, `Opened ${positions} long position(s) on ${SYMBOLS[session.assetIndex]}`);
    return session;
  }

  positionsOf(tradeId: string): PositionRow[] {
    return [...this.positions.values()].filter((p) => p.tradeId === tradeId);
  }

  tradeView(trade: TradeRow) {
    const { id, sessionId, status, assetIndex, pnl, openedAt } = trade;
    return { id, sessionId, status, assetIndex, pnl, positions: this.positionsOf(trade.id), openedAt };
  }

  openTradesOf(userId: string): TradeRow[] {
    return [...this.trades.values()].filter((t) => t.userId === userId && t.status === 'open');
  }

  /** Positions (by id) that belong to this user, or 404: other users' ids look like unknown ones. */
  ownedPosition(userId: string, positionId: string): PositionRow {
    const position = this.positions.get(positionId);
    if (!position || this.trades.get(position.tradeId)?.userId !== userId) {
      throw new NotFoundException('Position not found');
    }
    return position;
  }

  ownedTrade(userId: string, tradeId: string): TradeRow {
    const trade = this.trades.get(tradeId);
    if (!trade || trade.userId !== userId) throw new NotFoundException('Trade not found');
    return trade;
  }

  /** Closes the given positions; the last one closing also closes its trade and session. Returns how many closed. */
  closePositions(positions: PositionRow[]): number {
    let closed = 0;
    for (const position of positions.filter((p) => p.status === 'open')) {
      position.status = 'closed';
      closed++;
      const trade = this.trades.get(position.tradeId)!;
      trade.pnl = dec8(Number(trade.pnl) + Number(position.unrealizedPnl));
      if (this.positionsOf(trade.id).every((p) => p.status === 'closed')) {
        trade.status = 'closed';
        const session = this.sessions.get(trade.sessionId)!;
        session.status = 'closed';
        session.updatedAt = now();
        this.log(session.id, trade.id, `Trade closed with pnl ${trade.pnl}`);
      } else {
        this.log(trade.sessionId, trade.id, `Position ${position.id} closed`);
      }
    }
    return closed;
  }
}

/** Random alphanumerics (SIWE nonces are mixed case; referral codes are shown upper case). */
export function randomCode(length: number, upper = false): string {
  const alphabet = upper ? 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789' : 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
}

/** Bearer JWT check; every failure is the bare 401 Nest gives for `new UnauthorizedException()`. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly db: Db,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: UserRow }>();
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) throw new UnauthorizedException();
    let sub: string;
    try {
      ({ sub } = await this.jwt.verifyAsync<{ sub: string }>(token));
    } catch {
      throw new UnauthorizedException();
    }
    const user = this.db.users.get(sub);
    if (!user) throw new UnauthorizedException();
    req.user = user;
    return true;
  }
}

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): UserRow => ctx.switchToHttp().getRequest().user,
);

/** Nest's logger, but on stderr: stdout carries only the "listening on" line the tests wait for. */
export class StderrLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _stream?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, any>,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack, params);
  }
}
