import { describe, expect, it } from 'vitest';
import { UsageError } from '../../api/errors.js';
import { connectionError, isCertificateVerifyCode, sdkEndpoint } from './endpoint.js';
import { VSphereTlsError, VSphereUnreachableError } from './errors.js';

describe('sdkEndpoint', () => {
  it.each([
    ['https://vc.example.com/sdk', 'https://vc.example.com/sdk', 'vc.example.com', 443, 'vc.example.com'],
    ['https://vc.example.com', 'https://vc.example.com/sdk', 'vc.example.com', 443, 'vc.example.com'],
    ['https://user:pw@10.0.0.5:8443/', 'https://10.0.0.5:8443/sdk', '10.0.0.5', 8443, undefined],
    ['https://[::1]:9443/sdk', 'https://[::1]:9443/sdk', '::1', 9443, undefined],
    ['http://127.0.0.1:8989/sdk', 'http://127.0.0.1:8989/sdk', '127.0.0.1', 8989, undefined],
  ])('%s', (input, href, host, port, servername) => {
    const e = sdkEndpoint(input);
    expect(e.url.href).toBe(href);
    expect(e.host).toBe(host);
    expect(e.port).toBe(port);
    expect(e.servername).toBe(servername);
  });

  it('drops credentials from the URL', () => {
    expect(sdkEndpoint('https://user:pw@vc/sdk').url.href).not.toContain('pw');
  });

  it.each(['vc.example.com', 'ftp://vc/sdk', ''])(
    'rejects %j with a UsageError naming the field',
    (input) => {
      expect(() => sdkEndpoint(input)).toThrow(UsageError);
      expect(() => sdkEndpoint(input)).toThrow(/^url: /);
    },
  );
});

describe('connectionError', () => {
  const endpoint = sdkEndpoint('https://127.0.0.1:9/sdk');
  const nodeError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

  it('an untrusted certificate → VSphereTlsError with the fingerprint', () => {
    const e = connectionError(
      endpoint,
      nodeError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      'AA:BB',
    );
    expect(e).toBeInstanceOf(VSphereTlsError);
    expect(e.message).toContain('AA:BB');
    expect(e.message).toContain('self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
  });

  it('anything else → VSphereUnreachableError', () => {
    const e = connectionError(endpoint, nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'));
    expect(e).toBeInstanceOf(VSphereUnreachableError);
    expect(e.message).toBe('cannot reach vSphere at 127.0.0.1:9 (ECONNREFUSED: connection refused)');
  });

  it('knows the verification codes', () => {
    expect(isCertificateVerifyCode('ERR_TLS_CERT_ALTNAME_INVALID')).toBe(true);
    expect(isCertificateVerifyCode('ERR_SSL_WRONG_VERSION_NUMBER')).toBe(false);
    expect(isCertificateVerifyCode(undefined)).toBe(false);
  });
});
