import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { ReferralsController, UsdcVerificationController } from './accounts.controller.js';
import { AuthController, TOKEN_TTL_SECONDS } from './auth.controller.js';
import { HealthController, IndicatorsController, LeaderboardController } from './market.controller.js';
import { Db, JwtAuthGuard } from './store.js';
import { TradingSessionsController, UserController } from './trading.controller.js';

@Module({
  imports: [
    // One global bucket per client IP; tests shrink it through the environment to provoke 429s.
    ThrottlerModule.forRoot([
      {
        ttl: Number(process.env.THROTTLE_TTL_MS ?? 60_000),
        limit: Number(process.env.THROTTLE_LIMIT ?? 10_000),
      },
    ]),
    JwtModule.register({
      secret: process.env.JWT_SECRET || 'alura-nestjs-reference-secret',
      signOptions: { expiresIn: TOKEN_TTL_SECONDS },
    }),
  ],
  controllers: [
    AuthController,
    TradingSessionsController,
    UserController,
    IndicatorsController,
    LeaderboardController,
    ReferralsController,
    UsdcVerificationController,
    HealthController,
  ],
  providers: [Db, JwtAuthGuard, { provide: APP_GUARD, useClass: ThrottlerGuard }],
})
export class AppModule {}
