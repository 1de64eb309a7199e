import { Body, Controller, Get, Post, Req, UnauthorizedException, UseGuards } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { getAddress, verifyMessage } from 'ethers';
import { ChallengeRequestDto, SiweChallengeEntity, SignInRequestDto, SignInResultEntity } from './dto.js';
import { CurrentUser, Db, JwtAuthGuard, UserRow, now, randomCode } from './store.js';

const CHAIN_ID = 421614; // Arbitrum Sepolia, the testnet the real service signs in on
export const TOKEN_TTL_SECONDS = 86400;

@ApiTags('auth')
@Controller('auth/evm')
export class AuthController {
  constructor(
    private readonly db: Db,
    private readonly jwt: JwtService,
  ) {}

  @Post('challenge')
  @ApiCreatedResponse({ type: SiweChallengeEntity })
  challenge(@Body() body: ChallengeRequestDto, @Req() req: { headers: Record<string, string | undefined> }) {
    // The Host header stands in for the public domain unless one is configured, so the
    // message matches whatever address the client actually dialled.
    const domain = process.env.SIWE_DOMAIN || req.headers.host || 'localhost';
    // Lower-casing first: getAddress() throws on a mixed-case address with a bad checksum.
    const address = getAddress(body.address.toLowerCase());
    const nonce = randomCode(16);
    const message = [
      `${domain} wants you to sign in with your Ethereum account:`,
      address,
      '',
      'Sign in to Alura Trading.',
      '',
      `URI: http://${domain}`,
      'Version: 1',
      `Chain ID: ${CHAIN_ID}`,
      `Nonce: ${nonce}`,
      `Issued At: ${now()}`,
    ].join('\n');
    this.db.challenges.set(address.toLowerCase(), { nonce, message });
    return { address, nonce, message };
  }

  @Post('verify')
  @ApiCreatedResponse({ type: SignInResultEntity })
  async verify(@Body() body: SignInRequestDto) {
    const key = body.address.toLowerCase();
    const challenge = this.db.challenges.get(key);
    if (!challenge) throw new UnauthorizedException();
    let signer: string;
    try {
      signer = verifyMessage(challenge.message, body.signature);
    } catch {
      throw new UnauthorizedException(); // malformed signatures are just wrong signatures
    }
    if (signer.toLowerCase() !== key) throw new UnauthorizedException();
    this.db.challenges.delete(key); // single use: a replayed signature finds no challenge

    let user = this.db.userByAddress(key);
    if (!user) {
      const referrer = body.referralCode
        ? [...this.db.users.values()].find((u) => u.referralCode === body.referralCode)
        : undefined;
      user = this.db.createUser(getAddress(key), referrer?.id ?? null);
    }
    const accessToken = await this.jwt.signAsync({ sub: user.id, address: user.address });
    return {
      ok: true,
      accessToken,
      tokenType: 'Bearer',
      expiresIn: TOKEN_TTL_SECONDS,
      user: { id: user.id, address: user.address, referralCode: user.referralCode, createdAt: user.createdAt },
    };
  }

  @Get('trading-key')
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  getTradingKey(@CurrentUser() user: UserRow) {
    const agent = this.db.agentFor(user.id);
    return { address: user.address, agentAddress: agent.wallet.address, createdAt: agent.createdAt };
  }
}
