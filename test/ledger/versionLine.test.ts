import { describe, expect, it } from 'vitest';
import { compareVersions, newestVersion, predecessorOf, stepBase } from '../../ledger/index.ts';

describe('version lines', () => {
  it('compares versions numerically, part by part', () => {
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareVersions('2.0.0', '10.0.0')).toBeLessThan(0);
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0);
    expect(newestVersion(['1.0.0', '2.0.0', '1.10.0'])).toBe('2.0.0');
    expect(newestVersion([])).toBeUndefined();
  });

  it('a new version steps from the newest of its major line, or from the newest of all when it starts a line', () => {
    const published = ['1.0.0', '1.1.0', '2.0.0', '1.1.1'];
    expect(stepBase(published, '1.2.0')).toBe('1.1.1');
    expect(stepBase(published, '2.0.1')).toBe('2.0.0');
    expect(stepBase(published, '3.0.0')).toBe('2.0.0');
    expect(stepBase([], '1.0.0')).toBeUndefined();
  });

  it('a version\'s predecessor is the newest version published before it and below it', () => {
    const published = ['1.0.0', '1.1.0', '2.0.0', '1.1.1', '1.2.0', '2.1.0'];
    expect(predecessorOf(published, '1.0.0')).toBeUndefined();
    expect(predecessorOf(published, '2.0.0')).toBe('1.1.0');
    expect(predecessorOf(published, '1.1.1')).toBe('1.1.0');
    expect(predecessorOf(published, '1.2.0')).toBe('1.1.1');
    expect(predecessorOf(published, '2.1.0')).toBe('2.0.0');
    expect(predecessorOf(published, '9.9.9')).toBeUndefined();
  });
});
