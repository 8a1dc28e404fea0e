import { describe, expect, it } from 'vitest';
import { hookProblems, hookSpec, playbookProblem } from './hook.js';

describe('hooks', () => {
  it('accepts a playbook (a YAML list of plays) and stores it base64', () => {
    const text = '- hosts: localhost\n  tasks: []\n';
    expect(playbookProblem(text)).toBeUndefined();
    expect(hookSpec({ playbook: text }, 'ns').playbook).toBe(Buffer.from(text).toString('base64'));
  });

  it('refuses a broken playbook with its position, and a playbook that is not a list', () => {
    expect(playbookProblem('- hosts: [a\n')?.message).toMatch(/is not valid YAML \(line \d+, column \d+\)/);
    expect(playbookProblem('hosts: localhost\n')?.hint).toBe('start it with "- hosts: localhost"');
  });

  it('keeps AAP and container hooks apart', () => {
    expect(hookProblems({ aapJobTemplateId: 4, image: 'x' }, true).map((p) => p.field)).toEqual([
      '--aap-job-template-id',
    ]);
    expect(hookProblems({ aapUrl: 'https://aap' }, false).map((p) => p.field)).toEqual(['--aap-url']);
    expect(hookProblems({ serviceAccount: 'Bad_SA' }, false).map((p) => p.field)).toEqual([
      '--service-account',
    ]);
  });
});
