/**
 * Forklift's per-VM itineraries as data: the phases a VM walks, the pipeline steps (what
 * `get plan --vms` shows) each phase belongs to, and the flags that include optional phases.
 * The Migration reconciler advances a VM one phase at a time, so a restarted controller resumes
 * at the phase recorded in the plan's status.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/migration.go
 */

/** Cold-migration phases (vSphere), in order. */
export const ColdPhase = {
  Started: 'Started',
  PreHook: 'PreHook',
  StorePowerState: 'StorePowerState',
  PowerOffSource: 'PowerOffSource',
  WaitForPowerOff: 'WaitForPowerOff',
  CreateDataVolumes: 'CreateDataVolumes',
  CopyDisks: 'CopyDisks',
  CreateGuestConversionPod: 'CreateGuestConversionPod',
  ConvertGuest: 'ConvertGuest',
  CreateVM: 'CreateVM',
  PostHook: 'PostHook',
  Completed: 'Completed',
} as const;
/** One of {@link ColdPhase}'s values. */
export type ColdPhase = (typeof ColdPhase)[keyof typeof ColdPhase];

/** Pipeline step names (Forklift's). */
export const StepName = {
  Initialize: 'Initialize',
  PreHook: 'PreHook',
  DiskTransfer: 'DiskTransfer',
  ImageConversion: 'ImageConversion',
  VirtualMachineCreation: 'VirtualMachineCreation',
  PostHook: 'PostHook',
} as const;
/** One of {@link StepName}'s values. */
export type StepName = (typeof StepName)[keyof typeof StepName];

/** The step each phase reports progress under. */
export const PhaseStep: Readonly<Record<ColdPhase, StepName | undefined>> = {
  Started: StepName.Initialize,
  PreHook: StepName.PreHook,
  StorePowerState: StepName.Initialize,
  PowerOffSource: StepName.Initialize,
  WaitForPowerOff: StepName.Initialize,
  CreateDataVolumes: StepName.Initialize,
  CopyDisks: StepName.DiskTransfer,
  CreateGuestConversionPod: StepName.ImageConversion,
  ConvertGuest: StepName.ImageConversion,
  CreateVM: StepName.VirtualMachineCreation,
  PostHook: StepName.PostHook,
  Completed: undefined,
};

/** What decides the optional phases of a VM's itinerary. */
export interface ItineraryFlags {
  preHook: boolean;
  postHook: boolean;
  /** Guest conversion configured (virt-v2v); not when `skipGuestConversion`. */
  convert: boolean;
}

/** The cold itinerary for one VM. */
export function coldItinerary(flags: ItineraryFlags): ColdPhase[] {
  const include: Partial<Record<ColdPhase, boolean>> = {
    PreHook: flags.preHook,
    PostHook: flags.postHook,
    CreateGuestConversionPod: flags.convert,
    ConvertGuest: flags.convert,
  };
  return Object.values(ColdPhase).filter((p) => include[p] ?? true);
}

/**
 * The phase after `current` in the itinerary.
 * @throws Error when `current` is not in it (a plan edited mid-run) or is the last phase
 */
export function nextPhase(itinerary: readonly ColdPhase[], current: ColdPhase): ColdPhase {
  const i = itinerary.indexOf(current);
  const next = itinerary[i + 1];
  if (i < 0 || !next) throw new Error(`phase ${current} has no successor in ${itinerary.join(' → ')}`);
  return next;
}

/** The pipeline steps of an itinerary, in order, without repeats. */
export function pipelineSteps(itinerary: readonly ColdPhase[]): StepName[] {
  const out: StepName[] = [];
  for (const p of itinerary) {
    const s = PhaseStep[p];
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}
