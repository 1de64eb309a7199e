import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEnum,
  IsEthereumAddress,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';

export enum ExecutionStrategy {
  Conservative = 'Conservative',
  Aggressive = 'Aggressive',
  Degen = 'Degen',
}

export enum StrategyDuration {
  OneDay = '1D',
  ThreeDays = '3D',
  SevenDays = '7D',
  ThirtyDays = '30D',
  NinetyDays = '90D',
  OneYear = '365D',
}

export const INTERVALS = ['1m', '5m', '15m', '1h', '4h', '1d'];

// ---- request bodies ----

export class ChallengeRequestDto {
  @ApiProperty({ example: '0x8ba1f109551bD432803012645Ac136ddd64DBA72' })
  @IsEthereumAddress()
  address: string;
}

export class SignInRequestDto {
  @ApiProperty({ example: '0x8ba1f109551bD432803012645Ac136ddd64DBA72' })
  @IsEthereumAddress()
  address: string;

  @ApiProperty({ description: 'EIP-191 personal_sign signature of the challenge message', example: '0x…' })
  @IsString()
  @Matches(/^0x[0-9a-fA-F]+$/, { message: 'signature must be a 0x-prefixed hex string' })
  signature: string;

  @ApiPropertyOptional({ example: 'ALURA123' })
  @IsOptional()
  @IsString()
  referralCode?: string;
}

export class QuickTradeBodyDto {
  @ApiProperty({ type: Number, minimum: 10, example: 100 })
  @IsNumber()
  @Min(10)
  budget: number;

  @ApiProperty({ type: Number, maximum: 500, example: 40 })
  @IsNumber()
  @IsPositive()
  @Max(500)
  profitTarget: number;

  @ApiPropertyOptional({ type: Number, example: 5 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  lossThreshold?: number;

  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 10, example: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  maxPositions?: number;

  @ApiProperty({ type: Number, minimum: 0, maximum: 5, description: 'Hyperliquid perp index: 0=BTC, 1=ETH, 2=SOL…' })
  @IsInt()
  @Min(0)
  @Max(5)
  assetIndex: number;
}

export class AdvanceTradeBodyDto {
  @ApiProperty({ type: Number, minimum: 10, example: 100 })
  @IsNumber()
  @Min(10)
  amount: number;

  @ApiProperty({ enum: ExecutionStrategy, enumName: 'ExecutionStrategy' })
  @IsEnum(ExecutionStrategy)
  executionStrategy: ExecutionStrategy;

  @ApiProperty({ enum: StrategyDuration, enumName: 'StrategyDuration' })
  @IsEnum(StrategyDuration)
  strategyDuration: StrategyDuration;

  @ApiProperty({ type: Number, minimum: 0, maximum: 5 })
  @IsInt()
  @Min(0)
  @Max(5)
  assetIndex: number;

  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @IsBoolean()
  maxWalletBudget?: boolean;
}

export class WithdrawalBodyDto {
  @ApiProperty({ type: Number, example: 25 })
  @IsNumber()
  @IsPositive()
  amount: number;

  @ApiPropertyOptional({ description: 'Destination address, defaults to the signed-in wallet' })
  @IsOptional()
  @IsEthereumAddress()
  destination?: string;
}

export class AssetCloseBodyDto {
  @ApiProperty({ type: Number, minimum: 0, maximum: 5 })
  @IsInt()
  @Min(0)
  @Max(5)
  assetIndex: number;
}

export class UsdcTransferBodyDto {
  @ApiProperty({ example: '0x8ba1f109551bD432803012645Ac136ddd64DBA72' })
  @IsEthereumAddress()
  to: string;

  @ApiProperty({ type: Number, example: 10 })
  @IsNumber()
  @IsPositive()
  amount: number;
}

export class NewReferralCodeBodyDto {
  @ApiPropertyOptional({ description: 'Wanted code; a random one when omitted', example: 'ALURA123' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{4,16}$/, { message: 'code must be 4 to 16 letters or digits' })
  code?: string;
}

export class ReferralLookupBodyDto {
  @ApiProperty({ example: 'ALURA123' })
  @IsString()
  code: string;
}

export class DepositProofBodyDto {
  @ApiProperty({ example: '0x' + 'ab'.repeat(32) })
  @Matches(/^0x[0-9a-fA-F]{64}$/, { message: 'txHash must be a 0x-prefixed 32-byte hex string' })
  txHash: string;
}

// ---- query strings (strings on the wire, hence @Type) ----

export class PageQueryDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class IntervalQueryDto {
  @ApiPropertyOptional({ enum: INTERVALS, default: '1m' })
  @IsOptional()
  @IsIn(INTERVALS)
  interval?: string;
}

export class CandleLimitQueryDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 5000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;
}

export class CandleHistoryQueryDto extends CandleLimitQueryDto {
  @ApiPropertyOptional({ enum: INTERVALS, default: '1h' })
  @IsOptional()
  @IsIn(INTERVALS)
  interval?: string;

  @ApiPropertyOptional({ type: Number, description: 'Unix ms, inclusive' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  startTime?: number;

  @ApiPropertyOptional({ type: Number, description: 'Unix ms, inclusive' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  endTime?: number;
}

// ---- response shapes, documented for a few operations only ----

export class SiweChallengeEntity {
  @ApiProperty() address: string;
  @ApiProperty() nonce: string;
  @ApiProperty({ description: 'EIP-4361 message to sign with personal_sign' }) message: string;
}

export class AuthUserEntity {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() address: string;
  @ApiProperty() referralCode: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class SignInResultEntity {
  @ApiProperty() ok: boolean;
  @ApiProperty() accessToken: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: string;
  @ApiProperty({ type: Number, example: 86400 }) expiresIn: number;
  @ApiProperty({ type: AuthUserEntity }) user: AuthUserEntity;
}

export class UserProfileEntity {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() address: string;
  @ApiProperty({ example: '10000.000000' }) balance: string;
  @ApiProperty({ example: '0.000000' }) totalDeposited: string;
  @ApiProperty() referralCode: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class TradingSessionEntity {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ enum: ['quick', 'advance'] }) type: string;
  @ApiProperty({ enum: ['active', 'closed'] }) status: string;
  @ApiProperty({ type: Number }) assetIndex: number;
  @ApiProperty({ example: '100.00000000' }) budget: string;
  @ApiProperty({ nullable: true, example: '40.00' }) profitTarget: string | null;
  @ApiProperty({ nullable: true, example: '5.00' }) lossThreshold: string | null;
  @ApiProperty({ type: Number, nullable: true }) maxPositions: number | null;
  @ApiProperty({ enum: ExecutionStrategy, enumName: 'ExecutionStrategy', nullable: true })
  executionStrategy: ExecutionStrategy | null;
  @ApiProperty({ enum: StrategyDuration, enumName: 'StrategyDuration', nullable: true })
  strategyDuration: StrategyDuration | null;
  @ApiProperty() maxWalletBudget: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
