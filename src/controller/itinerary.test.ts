import { describe, expect, it } from 'vitest';
import { coldItinerary, nextPhase, pipelineSteps } from './itinerary.js';

describe('cold itinerary', () => {
  it('without hooks or conversion walks power-off, copy and VM creation', () => {
    const it0 = coldItinerary({ preHook: false, postHook: false, convert: false });
    expect(it0).toEqual([
      'Started',
      'StorePowerState',
      'PowerOffSource',
      'WaitForPowerOff',
      'CreateDataVolumes',
      'CopyDisks',
      'CreateVM',
      'Completed',
    ]);
    expect(pipelineSteps(it0)).toEqual(['Initialize', 'DiskTransfer', 'VirtualMachineCreation']);
  });

  it('includes hooks and conversion when configured, in Forklift order', () => {
    const full = coldItinerary({ preHook: true, postHook: true, convert: true });
    expect(full.slice(0, 2)).toEqual(['Started', 'PreHook']);
    expect(full.slice(-3)).toEqual(['CreateVM', 'PostHook', 'Completed']);
    expect(pipelineSteps(full)).toEqual([
      'Initialize',
      'PreHook',
      'DiskTransfer',
      'ImageConversion',
      'VirtualMachineCreation',
      'PostHook',
    ]);
    expect(nextPhase(full, 'CopyDisks')).toBe('CreateGuestConversionPod');
  });

  it('refuses to step past the end or from a phase not in the itinerary', () => {
    const it0 = coldItinerary({ preHook: false, postHook: false, convert: false });
    expect(() => nextPhase(it0, 'Completed')).toThrow(/no successor/);
    expect(() => nextPhase(it0, 'PreHook')).toThrow(/no successor/);
  });
});
