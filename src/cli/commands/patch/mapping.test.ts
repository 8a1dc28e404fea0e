import { describe, expect, it } from 'vitest';
import { formatProblem, type NetworkPair } from '../../../api/index.js';
import { patchPairs } from './mapping.js';

const current: NetworkPair[] = [
  { source: { name: 'A' }, destination: { type: 'pod' } },
  { source: { id: 'network-7', name: 'B' }, destination: { type: 'ignored' } },
  { source: { name: 'C', vlan: '20' }, destination: { type: 'ignored' } },
];

describe('patchPairs', () => {
  it('removes (by name, id or name@vlan), adds and updates, in that order', () => {
    const r = patchPairs(
      current,
      {
        kind: 'network',
        name: 'm',
        removePairs: 'network-7,C@20',
        addPairs: 'D:nad-d',
        updatePairs: 'A:ignored',
      },
      'ns',
      undefined,
    );
    expect(r.problems).toEqual([]);
    expect(r.map).toEqual([
      { source: { name: 'A' }, destination: { type: 'ignored' } },
      { source: { name: 'D' }, destination: { type: 'multus', name: 'nad-d', namespace: 'ns' } },
    ]);
  });

  it('refuses contradictions, naming each', () => {
    const r = patchPairs(
      current,
      { kind: 'network', name: 'm', removePairs: 'Z', addPairs: 'A:ignored', updatePairs: 'Q:ignored' },
      'ns',
      undefined,
    );
    expect(r.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^--remove-pairs: source "Z" is not mapped/),
      expect.stringMatching(/^--add-pairs: source "A" is already mapped/),
      expect.stringMatching(/^--update-pairs: source "Q" is not mapped/),
    ]);
  });

  it('keeps the pod network to one source', () => {
    const r = patchPairs(current, { kind: 'network', name: 'm', updatePairs: 'B:default' }, 'ns', undefined);
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/maps 2 sources \(A, B\) to the pod network/),
    ]);
  });
});
