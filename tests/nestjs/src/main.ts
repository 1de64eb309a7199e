import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { StderrLogger } from './store.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule, {
    // Quiet by default (route mapping is 40+ lines); NEST_LOG_LEVEL=log brings it back.
    logger: new StderrLogger(process.env.NEST_LOG_LEVEL ? {} : { logLevels: ['fatal', 'error', 'warn'] }),
  });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true }));

  const config = new DocumentBuilder()
    .setTitle('Alura Trading API')
    .setDescription('Reference stand-in for the Alura Trading backend, for SDK tests')
    .setVersion('1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, SwaggerModule.createDocument(app, config));

  // Loopback only, port 0 by default so parallel test runs never collide.
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
  // Under a test runner: exit when it closes our stdin, even if it was killed outright.
  if (process.env.EXIT_WITH_STDIN === '1') {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
    process.stdin.resume();
  }
}

bootstrap().catch((err) => {
  console.error(err);
  process.exit(1);
});
