import { describe, expect, it } from '@jest/globals';
import { GroupCommit } from './group-commit.js';

/** A writer whose writes finish only when the test says so. */
function controlledWriter(fail: (items: string[]) => boolean = () => false) {
  const writes: string[][] = [];
  const finishers: Array<() => void> = [];
  const write = (items: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      writes.push(items);
      finishers.push(() =>
        fail(items) ? reject(new Error('write failed')) : resolve(items.map((i) => `id:${i}`)),
      );
    });
  const finishNext = async () => {
    await new Promise((r) => setImmediate(r));
    finishers.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { writes, write, finishNext };
}

describe(GroupCommit.name, () => {
  it('should write the appends that arrive during a write together, in arrival order, and give each caller its own results', async () => {
    const w = controlledWriter();
    const group = new GroupCommit(w.write);
    const first = group.append(['a']);
    const second = group.append(['b', 'c']);
    const third = group.append(['d']);
    expect(w.writes).toEqual([['a']]);
    await w.finishNext();
    expect(await first).toEqual(['id:a']);
    expect(w.writes).toEqual([['a'], ['b', 'c', 'd']]);
    await w.finishNext();
    expect(await second).toEqual(['id:b', 'id:c']);
    expect(await third).toEqual(['id:d']);
  });

  it('should settle a caller only after the write holding its items has finished', async () => {
    const w = controlledWriter();
    const group = new GroupCommit(w.write);
    let settled = false;
    void group.append(['a']).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await w.finishNext();
    expect(settled).toBe(true);
  });

  it('should fail only the caller whose items cannot be written when a grouped write fails', async () => {
    const w = controlledWriter((items) => items.includes('bad'));
    const group = new GroupCommit(w.write);
    const first = group.append(['a']);
    const good = group.append(['b']);
    // Observed at once, so its rejection is handled when it happens.
    const bad = group.append(['bad']).then(
      () => 'written',
      (e: unknown) => (e as Error).message,
    );
    const alsoGood = group.append(['c']);
    await w.finishNext(); // ['a']
    await w.finishNext(); // ['b', 'bad', 'c'] fails: each caller is retried alone
    await w.finishNext(); // ['b']
    await w.finishNext(); // ['bad']
    await w.finishNext(); // ['c']
    expect(await first).toEqual(['id:a']);
    expect(await good).toEqual(['id:b']);
    expect(await bad).toBe('write failed');
    expect(await alsoGood).toEqual(['id:c']);
    expect(w.writes).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });

  it('should not put more than maxItems items in one write (but never split one caller)', async () => {
    const w = controlledWriter();
    const group = new GroupCommit(w.write, 3);
    const calls = [group.append(['a']), group.append(['b', 'c']), group.append(['d', 'e'])];
    calls.push(group.append(['f', 'g', 'h', 'i']));
    for (let i = 0; i < 4; i++) await w.finishNext();
    await Promise.all(calls);
    expect(w.writes).toEqual([['a'], ['b', 'c'], ['d', 'e'], ['f', 'g', 'h', 'i']]);
  });
});
