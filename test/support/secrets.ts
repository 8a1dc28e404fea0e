/**
 * The credentials the test suites use, and the scanner that proves no command ever prints them
 * (plain, base64 or base64url, as a Secret's data would carry them).
 */

/** Passwords and tokens the suites pass to mtv. Distinctive, so a match is never a coincidence. */
export const TestSecrets = {
  vspherePassword: 'Vsph3re-P4ss!wd-7c1e',
  newPassword: 'N3w-P4ss!wd-91ab',
  esxiPassword: 'Esx1-R00t-P4ss-5d2f',
  openshiftToken: 'sha256~TestToken-4f7e9a0b1c2d3e4f',
  openstackPassword: '0penst4ck-Pw-88aa',
} as const;

function encodings(secret: string): string[] {
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  return [secret, b64, b64.replace(/=+$/, ''), Buffer.from(secret, 'utf8').toString('base64url')];
}

/** Names of the test secrets (in any encoding) found in `text`. */
export function findSecrets(text: string, secrets: readonly string[] = Object.values(TestSecrets)): string[] {
  return secrets.filter((s) => encodings(s).some((e) => text.includes(e)));
}
