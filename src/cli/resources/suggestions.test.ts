import { describe, expect, it } from 'vitest';
import type { Condition, Provider } from '../../api/index.js';
import { trailingSections } from './common.js';
import { readyPlan } from './plan.fixture.js';
import { conditionSuggestion } from './suggestions.js';

const cond = (type: string, over: Partial<Condition> = {}): Condition => ({
  type,
  status: 'True',
  category: 'Critical',
  lastTransitionTime: '2026-03-01T10:00:00Z',
  ...over,
});

describe('condition suggestions', () => {
  const plan = readyPlan();

  it.each<[string, Partial<Condition>, string]>([
    [
      'VMNotFound',
      { items: ['web-9'] },
      "check the name or id of web-9 against the source's VMs: mtv get inventory vm vcenter",
    ],
    ['NetworkMapNotReady', {}, 'see why: mtv describe mapping network web-network'],
    ['StorageMapNotReady', {}, 'see why: mtv describe mapping storage web-storage'],
    [
      'TargetNameNotValid',
      { items: ['My VM → my-vm'] },
      "nothing to do (the name is made DNS-1123); to choose it: mtv patch planvm web 'My VM' --target-name NAME",
    ],
  ])('%s', (type, over, text) => {
    expect(conditionSuggestion('Plan', plan, cond(type, over))).toBe(text);
  });

  it('prefers the condition’s own suggestion, and says nothing for false or unknown ones', () => {
    expect(conditionSuggestion('Plan', plan, cond('VMNotFound', { suggestion: 'ask the admin' }))).toBe(
      'ask the admin',
    );
    expect(conditionSuggestion('Plan', plan, cond('VMNotFound', { status: 'False' }))).toBeUndefined();
    expect(conditionSuggestion('Plan', plan, cond('SomethingNew'))).toBeUndefined();
  });

  it('adds a Suggestions section after the conditions of any kind', () => {
    const provider = {
      apiVersion: 'forklift.konveyor.io/v1beta1',
      kind: 'Provider',
      metadata: { name: 'vcenter', namespace: 'demo' },
      spec: { type: 'vsphere', url: 'https://vc/sdk' },
      status: { conditions: [cond('ConnectionAuthFailed')] },
    } as Provider;
    const sections = trailingSections('Provider', provider);
    expect(sections.map((s) => s.title)).toEqual(['Conditions', 'Suggestions']);
    expect(sections[1]?.fields).toEqual([
      {
        label: 'ConnectionAuthFailed',
        value: 'update the credentials: mtv patch provider vcenter --username USER --password-file FILE',
      },
    ]);
  });
});
