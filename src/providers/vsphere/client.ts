/**
 * A vSphere Web Services (vim25 SOAP) client: session, PropertyCollector, ViewManager, tasks and
 * the VM operations mtv needs. Other methods go through {@link VSphereClient.invoke}.
 *
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/
 */
import { NotAuthenticatedFault, VSphereProtocolError, faultError } from './errors.js';
import {
  decodeRetrieveResult,
  decodeUpdateSet,
  filterSpecToWire,
  type ObjectContent,
  type PropertyFilterSpec,
  type RetrieveResult,
  type UpdateSet,
} from './property-collector.js';
import type { WireObject } from './soap-codec.js';
import { waitForTask, type WaitForTaskOptions } from './task.js';
import { SoapTransport, type InvokeOptions, type SoapTransportOptions } from './transport.js';
import {
  asBoolean,
  asMoRef,
  asObject,
  asString,
  type MoRef,
  type VimObject,
  type VimValue,
} from './values.js';

const serviceInstance: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };

/** Options of {@link VSphereClient.connect}. */
export interface ConnectOptions extends SoapTransportOptions {
  /** User, e.g. `administrator@vsphere.local`. */
  username: string;
  /** Password; sent in the Login request only, never kept, logged or put into an error. */
  password: string;
  /** Aborts connecting. */
  signal?: AbortSignal;
}

/**
 * The product a server reports (`ServiceContent.about`).
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.AboutInfo.html
 */
export interface AboutInfo {
  /** e.g. `VMware vCenter Server`. */
  name: string;
  /** e.g. `VMware vCenter Server 8.0.3 build-24022515`. */
  fullName: string;
  vendor: string;
  /** Product version, e.g. `8.0.3`. */
  version: string;
  build: string;
  /** `VirtualCenter` or `HostAgent` (ESXi). */
  apiType: string;
  /** vim25 API version, e.g. `8.0.3.0`; sent as `SOAPAction: urn:vim25/<apiVersion>`. */
  apiVersion: string;
  instanceUuid: string | undefined;
}

/**
 * The server's entry points (`ServiceInstance.content`).
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.ServiceInstanceContent.html
 */
export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  sessionManager: MoRef;
  /** Absent on very old servers. */
  viewManager: MoRef | undefined;
  about: AboutInfo;
  /** Everything RetrieveServiceContent returned, decoded. */
  raw: VimObject;
}

/**
 * The logged-in session.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.UserSession.html
 */
export interface UserSession {
  /** Session id (not the cookie). */
  key: string;
  userName: string;
  fullName: string;
}

/** Options of {@link VSphereClient.retrieveProperties}. */
export interface RetrieveOptions extends InvokeOptions {
  /** Objects per page (RetrieveOptions.maxObjects); the server may return fewer. Default: the server's choice. */
  maxObjects?: number;
  /** PropertyCollector to use. Default: `serviceContent.propertyCollector`. */
  collector?: MoRef;
}

/** Options of {@link VSphereClient.waitForUpdates}. */
export interface WaitForUpdatesOptions extends InvokeOptions {
  /**
   * Seconds the server waits for a change before returning null; 0 = check once and return.
   * Default: wait until a change or CancelWaitForUpdates (then the request has no client timeout).
   */
  maxWaitSeconds?: number;
  /** Object updates per reply; more are pending when `truncated` is true. Default: the server's choice. */
  maxObjectUpdates?: number;
  /** PropertyCollector to wait on. Default: `serviceContent.propertyCollector`; prefer a dedicated one per watch. */
  collector?: MoRef;
}

/** A logged-in connection to one vCenter or ESXi. */
export class VSphereClient {
  readonly #transport: SoapTransport;
  /** The server's entry points, read before login. */
  readonly serviceContent: ServiceContent;
  #session: UserSession | undefined;

  private constructor(transport: SoapTransport, serviceContent: ServiceContent) {
    this.#transport = transport;
    this.serviceContent = serviceContent;
  }

  /**
   * Connects and logs in: RetrieveServiceContent (learning the API version), then Login.
   *
   * @throws {@link InvalidLoginFault} for wrong credentials; {@link VSphereTlsError} (naming the
   * certificate's fingerprint) when the certificate does not verify; {@link VSphereUnreachableError};
   * {@link VSphereTimeoutError}; {@link UsageError} for a malformed URL; the signal's reason when aborted.
   */
  static async connect(options: ConnectOptions): Promise<VSphereClient> {
    const transport = new SoapTransport(options);
    try {
      const raw = await transport.invoke(
        'RetrieveServiceContent',
        serviceInstance,
        {},
        { signal: options.signal },
      );
      const content = decodeServiceContent(raw);
      transport.apiVersion = content.about.apiVersion || transport.apiVersion;
      const client = new VSphereClient(transport, content);
      await client.login(options.username, options.password, { signal: options.signal });
      return client;
    } catch (e: unknown) {
      transport.close();
      throw e;
    }
  }

  /** The server's product and API version. */
  get about(): AboutInfo {
    return this.serviceContent.about;
  }

  /** SHA-1 fingerprint of the server certificate (`AA:BB:…`, uppercase); undefined over plain http. */
  get fingerprint(): string | undefined {
    return this.#transport.fingerprint;
  }

  /** `host:port` of the server, for messages. */
  get address(): string {
    return this.#transport.endpoint.address;
  }

  /** The current session, or undefined after {@link VSphereClient.logout}. */
  get session(): UserSession | undefined {
    return this.#session;
  }

  /**
   * Calls any vim25 method; for the ones this class does not wrap.
   *
   * @param params parameters in WSDL order; data objects that vim25 declares polymorphically need `_type`.
   * @returns the decoded `returnval`.
   * @throws {@link VSphereFault} (typed by fault name) and the transport errors of {@link SoapTransport.invoke}.
   */
  invoke(
    method: string,
    thisRef: MoRef,
    params?: WireObject,
    options?: InvokeOptions,
  ): Promise<VimValue | undefined> {
    return this.#transport.invoke(method, thisRef, params, options);
  }

  /**
   * Logs in (again, e.g. after NotAuthenticated).
   * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.SessionManager.html#login
   * @throws {@link InvalidLoginFault}
   */
  async login(username: string, password: string, options?: InvokeOptions): Promise<UserSession> {
    this.#transport.clearSession();
    const v = await this.invoke(
      'Login',
      this.serviceContent.sessionManager,
      { userName: username, password },
      options,
    );
    const s = asObject(v) ?? {};
    this.#session = {
      key: asString(s.key) ?? '',
      userName: asString(s.userName) ?? username,
      fullName: asString(s.fullName) ?? '',
    };
    return this.#session;
  }

  /** Logs out; a session that already expired counts as logged out. */
  async logout(options?: InvokeOptions): Promise<void> {
    try {
      await this.invoke('Logout', this.serviceContent.sessionManager, {}, options);
    } catch (e: unknown) {
      if (!(e instanceof NotAuthenticatedFault)) throw e;
    } finally {
      this.#session = undefined;
      this.#transport.clearSession();
    }
  }

  /** Logs out (ignoring failures) and closes the connections. */
  async close(): Promise<void> {
    try {
      if (this.#session) await this.logout({ timeoutMs: 10_000 });
    } catch {
      // the server may be gone; closing must not fail
    } finally {
      this.#transport.close();
    }
  }

  /**
   * True while the session is valid on the server (SessionManager.SessionIsActive; vCenter only).
   * @throws {@link NotAuthenticatedFault} when the caller's own session is gone.
   */
  async sessionIsActive(options?: InvokeOptions): Promise<boolean> {
    const s = this.#session;
    if (!s) return false;
    const v = await this.invoke(
      'SessionIsActive',
      this.serviceContent.sessionManager,
      { sessionID: s.key, userName: s.userName },
      options,
    );
    return asBoolean(v) ?? false;
  }

  /** The server's clock (ServiceInstance.CurrentTime). */
  async currentTime(options?: InvokeOptions): Promise<Date> {
    const v = await this.invoke('CurrentTime', serviceInstance, {}, options);
    const d = v instanceof Date ? v : new Date(asString(v) ?? '');
    if (Number.isNaN(d.getTime()))
      throw new VSphereProtocolError(`CurrentTime returned ${JSON.stringify(v)}`);
    return d;
  }

  // ---- PropertyCollector ----------------------------------------------------------------------

  /**
   * Reads properties once, following ContinueRetrievePropertiesEx tokens until every page is in.
   *
   * @returns every object's content, across all pages.
   * @throws {@link NotAuthenticatedFault} also when the server reports it per property (vcsim does);
   * {@link InvalidPropertyFault}, {@link ManagedObjectNotFoundFault}, transport errors.
   * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.query.PropertyCollector.html#retrieveContents
   */
  async retrieveProperties(
    specSet: PropertyFilterSpec | readonly PropertyFilterSpec[],
    options: RetrieveOptions = {},
  ): Promise<ObjectContent[]> {
    const pc = options.collector ?? this.serviceContent.propertyCollector;
    const specs = (Array.isArray(specSet) ? specSet : [specSet]) as readonly PropertyFilterSpec[];
    const retrieveOptions = { maxObjects: options.maxObjects };
    let page = await this.#page(
      'RetrievePropertiesEx',
      pc,
      { specSet: specs.map(filterSpecToWire), options: retrieveOptions },
      options,
    );
    const objects = [...page.objects];
    try {
      while (page.token !== undefined) {
        page = await this.#page('ContinueRetrievePropertiesEx', pc, { token: page.token }, options);
        objects.push(...page.objects);
      }
    } catch (e: unknown) {
      if (page.token !== undefined)
        await this.invoke('CancelRetrievePropertiesEx', pc, { token: page.token }).catch(() => undefined);
      throw e;
    }
    return objects;
  }

  async #page(
    method: string,
    pc: MoRef,
    params: WireObject,
    options: InvokeOptions,
  ): Promise<RetrieveResult> {
    const page = decodeRetrieveResult(
      await this.invoke(method, pc, params, { signal: options.signal, timeoutMs: options.timeoutMs }),
    );
    const unauthenticated = page.objects
      .flatMap((o) => o.missing)
      .find((m) => m.fault.faultName === 'NotAuthenticated');
    if (unauthenticated) throw faultError(unauthenticated.fault, method);
    return page;
  }

  /**
   * Creates a PropertyFilter on a collector; its changes arrive through {@link VSphereClient.waitForUpdates}.
   * @param partialUpdates report only changed nested properties. @default false
   * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.query.PropertyCollector.html#createFilter
   */
  async createFilter(
    spec: PropertyFilterSpec,
    options: InvokeOptions & { partialUpdates?: boolean; collector?: MoRef } = {},
  ): Promise<MoRef> {
    const pc = options.collector ?? this.serviceContent.propertyCollector;
    const v = await this.invoke(
      'CreateFilter',
      pc,
      { spec: filterSpecToWire(spec), partialUpdates: options.partialUpdates ?? false },
      options,
    );
    return requireRef(v, 'CreateFilter');
  }

  /** Destroys a PropertyFilter. */
  async destroyPropertyFilter(filter: MoRef, options?: InvokeOptions): Promise<void> {
    await this.invoke('DestroyPropertyFilter', filter, {}, options);
  }

  /**
   * Waits for changes of the collector's filters (WaitForUpdatesEx). Start with version `''` (the
   * first reply is every object's full state, `kind: 'enter'`), then pass the returned `version`.
   *
   * @returns the changes, or null when `maxWaitSeconds` passed without any.
   * @throws {@link RequestCanceledFault} when {@link VSphereClient.cancelWaitForUpdates} interrupts it.
   * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.query.PropertyCollector.html#waitForUpdatesEx
   */
  async waitForUpdates(version: string, options: WaitForUpdatesOptions = {}): Promise<UpdateSet | null> {
    const pc = options.collector ?? this.serviceContent.propertyCollector;
    const wait = { maxWaitSeconds: options.maxWaitSeconds, maxObjectUpdates: options.maxObjectUpdates };
    // the reply may take maxWaitSeconds by design: allow that plus a margin
    const timeoutMs =
      options.timeoutMs ??
      (options.maxWaitSeconds === undefined ? 0 : options.maxWaitSeconds * 1000 + 60_000);
    const v = await this.invoke(
      'WaitForUpdatesEx',
      pc,
      { version, options: wait },
      { signal: options.signal, timeoutMs },
    );
    return decodeUpdateSet(v);
  }

  /** Makes a pending WaitForUpdatesEx on the collector fail with RequestCanceled. */
  async cancelWaitForUpdates(collector?: MoRef, options?: InvokeOptions): Promise<void> {
    await this.invoke(
      'CancelWaitForUpdates',
      collector ?? this.serviceContent.propertyCollector,
      {},
      options,
    );
  }

  /**
   * Creates a session-private PropertyCollector: one per long-running watch, so that its filters and
   * WaitForUpdatesEx calls do not mix with anyone else's (what govmomi does).
   */
  async createPropertyCollector(options?: InvokeOptions): Promise<MoRef> {
    return requireRef(
      await this.invoke('CreatePropertyCollector', this.serviceContent.propertyCollector, {}, options),
      'CreatePropertyCollector',
    );
  }

  /** Destroys a collector made by {@link VSphereClient.createPropertyCollector}, and its filters. */
  async destroyPropertyCollector(collector: MoRef, options?: InvokeOptions): Promise<void> {
    await this.invoke('DestroyPropertyCollector', collector, {}, options);
  }

  // ---- ViewManager ----------------------------------------------------------------------------

  /**
   * Creates a ContainerView of the objects of `types` in `container` (recursively by default).
   * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.view.ViewManager.html
   */
  async createContainerView(
    container: MoRef,
    types: readonly string[],
    recursive = true,
    options?: InvokeOptions,
  ): Promise<MoRef> {
    const viewManager = this.serviceContent.viewManager;
    if (!viewManager)
      throw new VSphereProtocolError('this server has no ViewManager; use inventoryFilterSpec instead');
    const v = await this.invoke(
      'CreateContainerView',
      viewManager,
      { container, type: types, recursive },
      options,
    );
    return requireRef(v, 'CreateContainerView');
  }

  /** Destroys a view. */
  async destroyView(view: MoRef, options?: InvokeOptions): Promise<void> {
    await this.invoke('DestroyView', view, {}, options);
  }

  // ---- tasks and VM operations ----------------------------------------------------------------

  /**
   * Waits until a task succeeds or fails, watching `info.state` on a dedicated collector.
   * @returns the task's `info.result` (undefined for most VM operations).
   * @throws the task's fault, typed (e.g. {@link InvalidStateFault} for InvalidPowerState);
   * {@link VSphereTimeoutError} after `timeoutMs`; the signal's reason when aborted.
   */
  waitForTask(task: MoRef, options: WaitForTaskOptions = {}): Promise<VimValue | undefined> {
    return waitForTask(this, task, options);
  }

  /**
   * Starts powering a VM on. @returns the Task.
   * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.VirtualMachine.html#powerOn
   */
  async powerOnVm(vm: MoRef, options: InvokeOptions & { host?: MoRef } = {}): Promise<MoRef> {
    return requireRef(
      await this.invoke('PowerOnVM_Task', vm, { host: options.host }, options),
      'PowerOnVM_Task',
    );
  }

  /**
   * The session cookie, for the datastore `/folder` HTTP interface of the same session (the
   * transfer library's reader). A credential: never log it.
   */
  get sessionCookie(): string | undefined {
    return this.#transport.sessionCookie;
  }

  /**
   * Asks VMware Tools in the guest to shut the OS down (ShutdownGuest). Returns at once; the VM
   * powers off when the guest has stopped.
   * @throws a fault (e.g. ToolsUnavailable) when the guest has no running Tools
   * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.VirtualMachine.html#shutdownGuest
   */
  async shutdownGuest(vm: MoRef, options?: InvokeOptions): Promise<void> {
    await this.invoke('ShutdownGuest', vm, {}, options);
  }

  /**
   * A VM's power state and whether VMware Tools run in it.
   * @throws ManagedObjectNotFoundFault when the VM is gone
   */
  async vmPowerState(
    vm: MoRef,
    options?: InvokeOptions,
  ): Promise<{ powerState: string; toolsRunning: boolean }> {
    const [o] = await this.retrieveProperties(
      {
        propSet: [{ type: 'VirtualMachine', pathSet: ['runtime.powerState', 'guest.toolsRunningStatus'] }],
        objectSet: [{ obj: vm, skip: false }],
      },
      options,
    );
    return {
      powerState: asString(o?.props['runtime.powerState']) ?? '',
      toolsRunning: asString(o?.props['guest.toolsRunningStatus']) === 'guestToolsRunning',
    };
  }

  /**
   * Starts powering a VM off (hard power-off, not a guest shutdown). @returns the Task.
   * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.VirtualMachine.html#powerOff
   */
  async powerOffVm(vm: MoRef, options?: InvokeOptions): Promise<MoRef> {
    return requireRef(await this.invoke('PowerOffVM_Task', vm, {}, options), 'PowerOffVM_Task');
  }
}

function requireRef(v: VimValue | undefined, method: string): MoRef {
  const ref = asMoRef(v);
  if (!ref) throw new VSphereProtocolError(`${method} returned no object reference`);
  return ref;
}

/** Decodes RetrieveServiceContent's `returnval`. */
export function decodeServiceContent(v: VimValue | undefined): ServiceContent {
  const raw = asObject(v);
  if (!raw) throw new VSphereProtocolError('RetrieveServiceContent returned no ServiceContent');
  const about = asObject(raw.about) ?? {};
  const text = (k: string): string => asString(about[k]) ?? '';
  return {
    rootFolder: requireRef(raw.rootFolder, 'RetrieveServiceContent (rootFolder)'),
    propertyCollector: requireRef(raw.propertyCollector, 'RetrieveServiceContent (propertyCollector)'),
    sessionManager: requireRef(raw.sessionManager, 'RetrieveServiceContent (sessionManager)'),
    viewManager: asMoRef(raw.viewManager),
    about: {
      name: text('name'),
      fullName: text('fullName'),
      vendor: text('vendor'),
      version: text('version'),
      build: text('build'),
      apiType: text('apiType'),
      apiVersion: text('apiVersion'),
      instanceUuid: asString(about.instanceUuid),
    },
    raw,
  };
}
