import { PendingWaits } from './pending-waits.js';

describe('PendingWaits', () => {
  it('resolves a sleep after its time and forgets it', async () => {
    const waits = new PendingWaits();
    const started = performance.now();
    await waits.sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(waits.size).toBe(0);
  });

  it('cancelAll() rejects every pending sleep at once, however many, and later sleeps too', async () => {
    const waits = new PendingWaits();
    const sleeps = Array.from({ length: 50 }, () => waits.sleep(60_000));
    expect(waits.size).toBe(50);
    const started = performance.now();
    waits.cancelAll();
    const outcomes = await Promise.allSettled(sleeps);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(waits.size).toBe(0);
    expect(waits.stopped).toBe(true);
    await expect(waits.sleep(10)).rejects.toThrow('emulator stopped');
  });

  it('does not wait for zero or negative times', async () => {
    const waits = new PendingWaits();
    await waits.sleep(0);
    expect(waits.size).toBe(0);
  });
});
