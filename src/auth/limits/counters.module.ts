import { Module } from '@nestjs/common';
import { WindowCounterStore } from './window-counter.store.js';

/** Shared fixed-window counters (rate limits, lockouts). */
@Module({
  providers: [WindowCounterStore],
  exports: [WindowCounterStore],
})
export class CountersModule {}
