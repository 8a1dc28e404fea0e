import { describe, expect, it } from 'vitest';
import { MtvError } from '../../api/errors.js';
import {
  faultError,
  InvalidArgumentFault,
  InvalidLoginFault,
  InvalidPropertyFault,
  InvalidStateFault,
  ManagedObjectNotFoundFault,
  NoPermissionFault,
  NotAuthenticatedFault,
  RequestCanceledFault,
  TaskInProgressFault,
  VSphereFault,
  VSphereTimeoutError,
  VSphereTlsError,
  VSphereUnreachableError,
} from './errors.js';

describe('faultError', () => {
  it.each([
    ['NotAuthenticated', NotAuthenticatedFault],
    ['InvalidLogin', InvalidLoginFault],
    ['PasswordExpired', InvalidLoginFault],
    ['ManagedObjectNotFound', ManagedObjectNotFoundFault],
    ['InvalidProperty', InvalidPropertyFault],
    ['InvalidArgument', InvalidArgumentFault],
    ['RequestCanceled', RequestCanceledFault],
    ['NoPermission', NoPermissionFault],
    ['InvalidState', InvalidStateFault],
    ['InvalidPowerState', InvalidStateFault],
    ['TaskInProgress', TaskInProgressFault],
    ['VAppTaskInProgress', TaskInProgressFault],
  ])('%s → %s', (faultName, Class) => {
    const e = faultError({ faultName, message: 'm' }, 'M');
    expect(e).toBeInstanceOf(Class);
    expect(e).toBeInstanceOf(VSphereFault);
    expect(e).toBeInstanceOf(MtvError);
    expect(e.faultName).toBe(faultName);
    expect(e.name).toBe(Class.name);
  });

  it('keeps unknown faults generic, with their name, method and detail', () => {
    const e = faultError(
      {
        faultName: 'FileNotFound',
        message: 'no such file',
        faultType: 'FileNotFound',
        detail: { file: '[ds] x.vmdk' },
      },
      'DeleteDatastoreFile_Task',
    );
    expect(e.constructor).toBe(VSphereFault);
    expect(e.message).toBe('DeleteDatastoreFile_Task: vSphere fault FileNotFound: no such file');
    expect(e.detail).toEqual({ file: '[ds] x.vmdk' });
    expect(e.method).toBe('DeleteDatastoreFile_Task');
  });

  it('does not treat Object.prototype names as faults', () => {
    expect(faultError({ faultName: 'constructor', message: '' }).constructor).toBe(VSphereFault);
  });

  it('hints at the Secret for a wrong password', () => {
    expect(faultError({ faultName: 'InvalidLogin', message: 'Login failure' }, 'Login').hint).toMatch(
      /Secret/,
    );
  });
});

describe('transport errors', () => {
  it('TLS: names the fingerprint and both fixes', () => {
    const e = new VSphereTlsError(
      '10.0.0.1:443',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'self-signed certificate',
      'AA:BB',
    );
    expect(e.message).toContain('SHA-1 fingerprint AA:BB');
    expect(e.message).toContain('"cacert"');
    expect(e.message).toContain('insecureSkipVerify');
    expect(e.message).toContain('10.0.0.1:443');
  });

  it('unreachable: names host:port and the reason', () => {
    expect(new VSphereUnreachableError('127.0.0.1:9', 'ECONNREFUSED').message).toBe(
      'cannot reach vSphere at 127.0.0.1:9 (ECONNREFUSED: connection refused)',
    );
  });

  it('timeout: in seconds when whole', () => {
    expect(new VSphereTimeoutError('h:443', 60_000, 'Login: no reply').message).toBe(
      'Login: no reply within 60 s (vSphere at h:443)',
    );
    expect(new VSphereTimeoutError('h:443', 1500, 'x').message).toBe('x within 1500 ms (vSphere at h:443)');
  });
});
