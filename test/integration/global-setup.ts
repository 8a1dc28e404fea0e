/**
 * vitest globalSetup of the integration suite: one real control plane for the whole run, mtv's
 * CRDs installed, torn down afterwards (the script also cleans up if the runner dies).
 */
import type { TestProject } from 'vitest/node';
import { installCrds, startTestbed, type Testbed } from '../support/testbed.js';

let testbed: Testbed | undefined;

export async function setup(project: TestProject): Promise<void> {
  testbed = await startTestbed();
  await installCrds(testbed.kubeconfig);
  project.provide('kubeconfig', testbed.kubeconfig);
}

export async function teardown(): Promise<void> {
  await testbed?.stop();
}

// Typing vitest's provide/inject is a module augmentation, not a namespace.
// eslint-disable-next-line no-restricted-syntax
declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}
