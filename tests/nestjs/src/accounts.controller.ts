import {
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  Get,
  NotFoundException,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { DepositProofBodyDto, NewReferralCodeBodyDto, ReferralLookupBodyDto } from './dto.js';
import { CurrentUser, Db, DepositRow, JwtAuthGuard, UserRow, now, randomCode, usdc } from './store.js';

// What one verified deposit credits: there is no chain to read the transfer amount from.
const DEPOSIT_AMOUNT = 25;

@ApiTags('referrals')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('referrals')
export class ReferralsController {
  constructor(private readonly db: Db) {}

  private userOr404(userId: string): UserRow {
    const user = this.db.users.get(userId);
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  @Post('check')
  checkCode(@Body() body: ReferralLookupBodyDto) {
    return { valid: [...this.db.users.values()].some((u) => u.referralCode === body.code) };
  }

  @Get(':userId')
  getInfo(@Param('userId') userId: string) {
    const user = this.userOr404(userId);
    const referredBy = user.referredBy ? (this.db.users.get(user.referredBy)?.referralCode ?? null) : null;
    const referrals = [...this.db.users.values()].filter((u) => u.referredBy === user.id).length;
    return { userId: user.id, referralCode: user.referralCode, referredBy, referrals, createdAt: user.createdAt };
  }

  @Get(':userId/stats')
  getStats(@Param('userId') userId: string) {
    const user = this.userOr404(userId);
    const referred = [...this.db.users.values()].filter((u) => u.referredBy === user.id);
    const active = referred.filter((u) => [...this.db.sessions.values()].some((s) => s.userId === u.id)).length;
    return { userId: user.id, totalReferrals: referred.length, activeReferrals: active, totalRewards: usdc(0), pendingRewards: usdc(0) };
  }

  @Post(':userId/code')
  createCode(@CurrentUser() me: UserRow, @Param('userId') userId: string, @Body() body: NewReferralCodeBodyDto) {
    const user = this.userOr404(userId);
    if (user.id !== me.id) throw new ForbiddenException();
    const code = body.code?.toUpperCase() ?? randomCode(8, true);
    if ([...this.db.users.values()].some((u) => u.id !== user.id && u.referralCode === code)) {
      throw new ConflictException('Referral code already in use');
    }
    user.referralCode = code;
    user.updatedAt = now();
    return { userId: user.id, referralCode: code };
  }
}

@ApiTags('usdc-verification')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('usdc-verification')
export class UsdcVerificationController {
  constructor(private readonly db: Db) {}

  @Post('verify')
  verify(@CurrentUser() user: UserRow, @Body() body: DepositProofBodyDto) {
    const key = body.txHash.toLowerCase();
    if (this.db.deposits.has(key)) throw new ConflictException('Transaction already verified');
    const deposit: DepositRow = {
      id: randomUUID(),
      userId: user.id,
      txHash: body.txHash,
      amount: usdc(DEPOSIT_AMOUNT),
      status: 'verified',
      createdAt: now(),
    };
    this.db.deposits.set(key, deposit);
    user.balance = usdc(Number(user.balance) + DEPOSIT_AMOUNT);
    user.totalDeposited = usdc(Number(user.totalDeposited) + DEPOSIT_AMOUNT);
    const { userId: _owner, ...view } = deposit;
    return view;
  }

  @Get('my-transactions')
  myTransactions(@CurrentUser() user: UserRow) {
    return [...this.db.deposits.values()].filter((d) => d.userId === user.id).map(({ userId: _owner, ...view }) => view);
  }

  @Get('total-deposited')
  totalDeposited(@CurrentUser() user: UserRow) {
    return { total: user.totalDeposited };
  }
}
