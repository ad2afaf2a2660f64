import { loadConfigOrExit, type ExitPort } from './load-config.js';

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function fakeProcess(): ExitPort & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    stderr: { write: (t: string) => written.push(t) },
    exit: (code: number): never => {
      throw new ExitCalled(code);
    },
  };
}

describe('loadConfigOrExit', () => {
  it('exits 1 naming the invalid variable', () => {
    const proc = fakeProcess();
    expect(() => loadConfigOrExit({ APCA_API_KEY_ID: 'k', APCA_API_SECRET_KEY: 's', PORT: 'abc' }, proc)).toThrow(
      new ExitCalled(1),
    );
    expect(proc.written.join('')).toMatch(/Invalid configuration:[\s\S]*PORT/);
  });

  it('returns the config when valid, writing nothing', () => {
    const proc = fakeProcess();
    expect(
      loadConfigOrExit({ APCA_API_KEY_ID: 'k', APCA_API_SECRET_KEY: 's', JWT_SECRET: 'j'.repeat(32) }, proc).port,
    ).toBe(3000);
    expect(proc.written).toEqual([]);
  });
});
