/**
 * Errors of the vSphere client: SOAP faults the server returned (typed by fault name) and
 * transport failures (unreachable, timeout, TLS, unexpected HTTP or XML). Every class derives from
 * {@link MtvError}, so messages are fit to show a user; none ever contains a password or the
 * session cookie.
 */
import { MtvError } from '../../api/errors.js';

/** Base class of every error the vSphere client throws. */
export class VSphereError extends MtvError {}

/** What a SOAP fault carries, decoded (see `soap-codec.ts`). */
export interface FaultInfo {
  /** The vim25 fault type, e.g. `InvalidLogin`: the detail's `xsi:type`, or its element name less `Fault`. */
  faultName: string;
  /** `faultstring`: the server's human-readable message. */
  message: string;
  /** The detail element's `xsi:type` as sent (usually equal to `faultName`), if any. */
  faultType?: string;
  /** The decoded fault detail (its fields, e.g. `obj` for ManagedObjectNotFound). */
  detail?: Readonly<Record<string, unknown>>;
}

/**
 * A fault the server returned for a method call (or inside a task's `info.error`).
 * Specific faults have subclasses; any other keeps its vim25 name in {@link VSphereFault.faultName}.
 *
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.MethodFault.html
 */
export class VSphereFault extends VSphereError {
  /** The vim25 fault type, e.g. `InvalidPowerState`. */
  readonly faultName: string;
  /** The detail's raw `xsi:type` (`_type`), when the server sent one. */
  readonly faultType: string | undefined;
  /** The decoded fault detail. */
  readonly detail: Readonly<Record<string, unknown>> | undefined;
  /** The method that failed, e.g. `PowerOffVM_Task`. */
  readonly method: string | undefined;
  /** The server's message (`faultstring` or the fault's `faultMessage`/`msg`). */
  readonly serverMessage: string;

  constructor(info: FaultInfo, method?: string, options?: { hint?: string }) {
    super(
      `${method ? `${method}: ` : ''}vSphere fault ${info.faultName}${info.message ? `: ${info.message}` : ''}`,
      options,
    );
    this.faultName = info.faultName;
    this.faultType = info.faultType;
    this.detail = info.detail;
    this.method = method;
    this.serverMessage = info.message;
  }
}

/**
 * The session is missing, expired or logged out: log in again.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.fault.NotAuthenticated.html
 */
export class NotAuthenticatedFault extends VSphereFault {
  constructor(info: FaultInfo, method?: string) {
    super(info, method, { hint: 'the vSphere session is not valid (expired or logged out); log in again' });
  }
}

/**
 * Wrong user name or password (also `PasswordExpired`).
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.fault.InvalidLogin.html
 */
export class InvalidLoginFault extends VSphereFault {
  constructor(info: FaultInfo, method?: string) {
    super(info, method, { hint: 'check "user" and "password" in the provider Secret' });
  }
}

/**
 * The moRef names an object that does not exist (any more).
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.fault.ManagedObjectNotFound.html
 */
export class ManagedObjectNotFoundFault extends VSphereFault {}

/**
 * A property path in a PropertySpec does not exist on its type (`detail.name` names it).
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.query.InvalidProperty.html
 */
export class InvalidPropertyFault extends VSphereFault {}

/**
 * An argument was rejected (`detail.invalidProperty` names it, when the server says).
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.fault.InvalidArgument.html
 */
export class InvalidArgumentFault extends VSphereFault {}

/**
 * The call was cancelled, e.g. a WaitForUpdatesEx interrupted by CancelWaitForUpdates.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.fault.RequestCanceled.html
 */
export class RequestCanceledFault extends VSphereFault {}

/**
 * The user lacks a privilege (`detail.privilegeId`) on an object (`detail.object`).
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.fault.NoPermission.html
 */
export class NoPermissionFault extends VSphereFault {}

/**
 * The object is in the wrong state for the operation: `InvalidState` and its subtypes such as
 * `InvalidPowerState` (powering off a VM that is off) or `InvalidHostState`.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.fault.InvalidState.html
 */
export class InvalidStateFault extends VSphereFault {}

/**
 * Another task is running on the object (also `VAppTaskInProgress`); retry later.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.fault.TaskInProgress.html
 */
export class TaskInProgressFault extends VSphereFault {}

type FaultClass = new (info: FaultInfo, method?: string) => VSphereFault;

/** Fault names with their own class, including the subtypes that map to a parent's class. */
const faultClasses: Readonly<Record<string, FaultClass>> = {
  NotAuthenticated: NotAuthenticatedFault,
  InvalidLogin: InvalidLoginFault,
  PasswordExpired: InvalidLoginFault,
  ManagedObjectNotFound: ManagedObjectNotFoundFault,
  InvalidProperty: InvalidPropertyFault,
  InvalidArgument: InvalidArgumentFault,
  RequestCanceled: RequestCanceledFault,
  NoPermission: NoPermissionFault,
  InvalidState: InvalidStateFault,
  InvalidPowerState: InvalidStateFault,
  InvalidHostState: InvalidStateFault,
  InvalidHostConnectionState: InvalidStateFault,
  InvalidDatastoreState: InvalidStateFault,
  TaskInProgress: TaskInProgressFault,
  VAppTaskInProgress: TaskInProgressFault,
};

/**
 * The typed error for a decoded fault: a subclass for the names above, else {@link VSphereFault}.
 * @param method the vim25 method that failed, named in the message.
 */
export function faultError(info: FaultInfo, method?: string): VSphereFault {
  const Class = Object.hasOwn(faultClasses, info.faultName) ? faultClasses[info.faultName] : undefined;
  return Class ? new Class(info, method) : new VSphereFault(info, method);
}

/**
 * The server cannot be reached: connection refused, unknown host, no route, reset before a reply.
 * `code` is Node's error code (`ECONNREFUSED`, `ENOTFOUND`, …).
 */
export class VSphereUnreachableError extends VSphereError {
  /** `host:port` as dialled. */
  readonly address: string;
  readonly code: string | undefined;
  constructor(address: string, code: string | undefined, options?: { cause?: unknown }) {
    super(`cannot reach vSphere at ${address}${code ? ` (${describeCode(code)})` : ''}`, {
      hint: 'check the provider URL and that this host can reach it (DNS, routing, firewall, port)',
      cause: options?.cause,
    });
    this.address = address;
    this.code = code;
  }
}

/** A request (or a wait such as a task's) did not finish within its timeout. */
export class VSphereTimeoutError extends VSphereError {
  readonly address: string;
  /** The timeout that expired, in milliseconds. */
  readonly timeoutMs: number;
  /** @param what what did not happen, e.g. `RetrievePropertiesEx: no reply`, `task task-42: not finished`. */
  constructor(address: string, timeoutMs: number, what: string) {
    super(`${what} within ${formatMs(timeoutMs)} (vSphere at ${address})`, {
      hint: 'the server is slow or unreachable; retry, or raise the timeout',
    });
    this.address = address;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The server's certificate did not verify (unknown CA, self-signed, expired, wrong host name).
 * The message names the certificate's SHA-1 fingerprint (what Forklift shows as the provider's
 * `status.fingerprint`) and how to trust it.
 */
export class VSphereTlsError extends VSphereError {
  readonly address: string;
  /** SHA-1 fingerprint of the server certificate, `AA:BB:…` (uppercase), when it could be read. */
  readonly fingerprint: string | undefined;
  /** OpenSSL/Node verification code, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`. */
  readonly code: string;
  constructor(
    address: string,
    code: string,
    reason: string,
    fingerprint: string | undefined,
    options?: { cause?: unknown },
  ) {
    const fp = fingerprint ? ` (SHA-1 fingerprint ${fingerprint})` : '';
    super(
      `the TLS certificate of vSphere at ${address}${fp} is not trusted: ${reason} (${code}); ` +
        `put the CA certificate (PEM) into the provider Secret's "cacert", ` +
        `or set "insecureSkipVerify: true" in the Secret to skip verification`,
      options,
    );
    this.address = address;
    this.fingerprint = fingerprint;
    this.code = code;
  }
}

/** A reply that is neither a SOAP response nor a SOAP fault (e.g. HTTP 404 for a wrong path, 503). */
export class VSphereHttpError extends VSphereError {
  /** HTTP status code. */
  readonly status: number;
  constructor(method: string, status: number, snippet: string) {
    super(`${method}: vSphere replied HTTP ${status}${snippet ? `: ${snippet}` : ''}`, {
      hint:
        status === 404 ? 'check the provider URL; the SDK endpoint is usually https://HOST/sdk' : undefined,
    });
    this.status = status;
  }
}

/** A reply or value that does not have the expected shape (malformed XML, wrong type). */
export class VSphereProtocolError extends VSphereError {}

const codeText: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connect timed out',
  EPIPE: 'connection closed',
};

function describeCode(code: string): string {
  return Object.hasOwn(codeText, code) ? `${code}: ${codeText[code] ?? ''}` : code;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
