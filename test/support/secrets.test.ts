import { describe, expect, it } from 'vitest';
import { findSecrets, TestSecrets } from './secrets.js';

describe('the credential scanner', () => {
  it('finds a test secret printed plain, base64 or base64url', () => {
    const p = TestSecrets.vspherePassword;
    expect(findSecrets(`password: ${p}`)).toEqual([p]);
    expect(findSecrets(`data:\n  password: ${Buffer.from(p).toString('base64')}`)).toEqual([p]);
    expect(findSecrets(Buffer.from(p).toString('base64url'))).toEqual([p]);
  });

  it('finds nothing in clean output', () => {
    expect(findSecrets('provider/vc1 created\nsecret/vc1-vsphere-abcde created')).toEqual([]);
  });
});
