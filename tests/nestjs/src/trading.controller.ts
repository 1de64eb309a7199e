import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { keccak256, toUtf8Bytes } from 'ethers';
import {
  AdvanceTradeBodyDto,
  AssetCloseBodyDto,
  ExecutionStrategy,
  PageQueryDto,
  QuickTradeBodyDto,
  TradingSessionEntity,
  UsdcTransferBodyDto,
  UserProfileEntity,
  WithdrawalBodyDto,
} from './dto.js';
import { CurrentUser, Db, JwtAuthGuard, UserRow, dec2, dec8, usdc } from './store.js';

// How many positions an advance session spreads its amount over.
const STRATEGY_POSITIONS: Record<ExecutionStrategy, number> = { Conservative: 1, Aggressive: 2, Degen: 3 };

@ApiTags('trading-sessions')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('trading-sessions')
export class TradingSessionsController {
  constructor(private readonly db: Db) {}

  @Post()
  @ApiCreatedResponse({ type: TradingSessionEntity })
  create(@CurrentUser() user: UserRow, @Body() body: QuickTradeBodyDto) {
    return this.db.openSession(
      user,
      {
        type: 'quick',
        assetIndex: body.assetIndex,
        budget: dec8(body.budget),
        profitTarget: dec2(body.profitTarget),
        lossThreshold: body.lossThreshold === undefined ? null : dec2(body.lossThreshold),
        maxPositions: body.maxPositions ?? null,
      },
      body.maxPositions ?? 1,
    );
  }

  @Post('advance')
  @ApiCreatedResponse({ type: TradingSessionEntity })
  createAdvance(@CurrentUser() user: UserRow, @Body() body: AdvanceTradeBodyDto) {
    return this.db.openSession(
      user,
      {
        type: 'advance',
        assetIndex: body.assetIndex,
        budget: dec8(body.amount),
        executionStrategy: body.executionStrategy,
        strategyDuration: body.strategyDuration,
        maxWalletBudget: body.maxWalletBudget ?? false,
      },
      STRATEGY_POSITIONS[body.executionStrategy],
    );
  }

  @Get('active')
  @ApiOkResponse({ type: [TradingSessionEntity] })
  findActive(@CurrentUser() user: UserRow) {
    return [...this.db.sessions.values()].filter((s) => s.userId === user.id && s.status === 'active');
  }

  @Get('current-trade')
  getCurrentTrade(@CurrentUser() user: UserRow) {
    const trade = this.db.openTradesOf(user.id).at(-1);
    // null on purpose: Nest answers it as 200 with an empty body, which clients must cope with.
    return trade ? this.db.tradeView(trade) : null;
  }

  @Get(':sessionId/logs')
  getSessionLogs(@CurrentUser() user: UserRow, @Param('sessionId', ParseUUIDPipe) sessionId: string) {
    const session = this.db.sessions.get(sessionId);
    if (!session || session.userId !== user.id) throw new NotFoundException('Trading session not found');
    return this.db.logs.filter((l) => l.sessionId === sessionId);
  }

  @Get('trades/:tradeId/logs')
  getTradeLogs(
    @CurrentUser() user: UserRow,
    @Param('tradeId', ParseUUIDPipe) tradeId: string,
    @Query() query: PageQueryDto,
  ) {
    this.db.ownedTrade(user.id, tradeId);
    const page = query.page ?? 1;
    const limit = query.limit ?? 20;
    const all = this.db.logs.filter((l) => l.tradeId === tradeId);
    return { data: all.slice((page - 1) * limit, page * limit), total: all.length, page, limit };
  }

  @Post('positions/:positionId/close')
  closePosition(@CurrentUser() user: UserRow, @Param('positionId', ParseUUIDPipe) positionId: string) {
    // Closing an already closed position is a no-op (closed: 0), like a reduce-only order with nothing to reduce.
    return { success: true, closed: this.db.closePositions([this.db.ownedPosition(user.id, positionId)]) };
  }

  @Post('positions/:positionId/close-signature')
  getCloseSignature(@CurrentUser() user: UserRow, @Param('positionId', ParseUUIDPipe) positionId: string) {
    const position = this.db.ownedPosition(user.id, positionId);
    if (position.status !== 'open') throw new BadRequestException('Position is already closed');
    const trade = this.db.trades.get(position.tradeId)!;
    // A Hyperliquid-style reduce-only IOC order the frontend can submit itself.
    const payload = {
      action: {
        type: 'order',
        orders: [{ a: trade.assetIndex, b: false, p: position.markPrice, s: position.size, r: true, t: { limit: { tif: 'Ioc' } } }],
        grouping: 'na',
      },
      nonce: Date.now(),
    };
    const digest = keccak256(toUtf8Bytes(JSON.stringify(payload)));
    const signature = this.db.agentFor(user.id).wallet.signingKey.sign(digest).serialized;
    return { positionId, signature, payload };
  }

  @Post('trades/:tradeId/close')
  closeTrade(@CurrentUser() user: UserRow, @Param('tradeId', ParseUUIDPipe) tradeId: string) {
    const trade = this.db.ownedTrade(user.id, tradeId);
    return { success: true, closed: this.db.closePositions(this.db.positionsOf(trade.id)) };
  }

  @Post('trigger-cron')
  triggerCron() {
    return { triggered: true };
  }
}

@ApiTags('user')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('user')
export class UserController {
  constructor(private readonly db: Db) {}

  @Get('profile')
  @ApiOkResponse({ type: UserProfileEntity })
  getProfile(@CurrentUser() user: UserRow) {
    const { id, address, balance, totalDeposited, referralCode, createdAt } = user;
    return { id, address, balance, totalDeposited, referralCode, createdAt };
  }

  @Post('fills/sync')
  syncFills() {
    return { synced: 0 }; // no exchange behind this stand-in, so never anything new
  }

  @Post('withdraw')
  withdraw(@CurrentUser() user: UserRow, @Body() body: WithdrawalBodyDto) {
    this.debit(user, body.amount);
    return { success: true, amount: usdc(body.amount) };
  }

  @Post('close-position')
  closePosition(@CurrentUser() user: UserRow, @Body() body: AssetCloseBodyDto) {
    const trades = this.db.openTradesOf(user.id).filter((t) => t.assetIndex === body.assetIndex);
    return { success: true, closed: this.db.closePositions(trades.flatMap((t) => this.db.positionsOf(t.id))) };
  }

  @Post('close-all-positions')
  closeAllPositions(@CurrentUser() user: UserRow) {
    const trades = this.db.openTradesOf(user.id);
    return { success: true, closed: this.db.closePositions(trades.flatMap((t) => this.db.positionsOf(t.id))) };
  }

  @Post('send-usdc')
  sendUsdc(@CurrentUser() user: UserRow, @Body() body: UsdcTransferBodyDto) {
    this.debit(user, body.amount);
    return { success: true, to: body.to, amount: usdc(body.amount) };
  }

  @Post('claim-reward')
  claimReward() {
    return { success: true, amount: usdc(0) };
  }

  private debit(user: UserRow, amount: number) {
    if (amount > Number(user.balance)) throw new BadRequestException('Insufficient balance');
    user.balance = usdc(Number(user.balance) - amount);
    user.updatedAt = new Date().toISOString();
  }
}
