import { describe, expect, it } from 'vitest';
import { VSphereProtocolError } from './errors.js';
import { asArray, asBoolean, asMoRef, asNumber, asObject, asString, isMoRef, isVimObject } from './values.js';

describe('coercion helpers', () => {
  it('asArray: undefined → [], scalar → [scalar], array as is', () => {
    expect(asArray(undefined)).toEqual([]);
    expect(asArray('a')).toEqual(['a']);
    expect(asArray({ key: '1' })).toEqual([{ key: '1' }]);
    const arr = ['a', 'b'];
    expect(asArray(arr)).toBe(arr);
  });

  it('asNumber: numbers and numeric strings', () => {
    expect(asNumber(4)).toBe(4);
    expect(asNumber('204')).toBe(204);
    expect(asNumber('-1')).toBe(-1);
    expect(asNumber('10737418240')).toBe(10737418240);
    expect(asNumber(undefined)).toBeUndefined();
    expect(() => asNumber('abc')).toThrow(VSphereProtocolError);
    expect(() => asNumber('')).toThrow(VSphereProtocolError);
    expect(() => asNumber({ a: '1' })).toThrow(/expected a number, got an object/);
  });

  it('asBoolean: xsd:boolean lexical forms', () => {
    expect(asBoolean('true')).toBe(true);
    expect(asBoolean('1')).toBe(true);
    expect(asBoolean('false')).toBe(false);
    expect(asBoolean('0')).toBe(false);
    expect(asBoolean(true)).toBe(true);
    expect(asBoolean(undefined)).toBeUndefined();
    expect(() => asBoolean('yes')).toThrow(VSphereProtocolError);
  });

  it('asString: prints scalars, refuses structures', () => {
    expect(asString('x')).toBe('x');
    expect(asString(3)).toBe('3');
    expect(asString(false)).toBe('false');
    expect(asString(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(asString(undefined)).toBeUndefined();
    expect(() => asString({ type: 'VirtualMachine', value: 'vm-1' })).toThrow(/moRef VirtualMachine:vm-1/);
    expect(() => asString(['a'])).toThrow(/an array of 1/);
  });

  it('asMoRef and asObject', () => {
    expect(asMoRef({ type: 'Folder', value: 'group-d1' })).toEqual({ type: 'Folder', value: 'group-d1' });
    expect(() => asMoRef('group-d1')).toThrow(VSphereProtocolError);
    expect(asObject('')).toEqual({});
    expect(asObject({ _type: 'Description', label: 'x' })).toEqual({ _type: 'Description', label: 'x' });
    expect(() => asObject('x')).toThrow(/expected a data object/);
  });

  it('tells moRefs from data objects', () => {
    expect(isMoRef({ type: 'T', value: 'v' })).toBe(true);
    expect(isMoRef({ type: 'T', value: 'v', extra: 'x' })).toBe(false);
    expect(isVimObject({ type: 'T', value: 'v' })).toBe(false);
    expect(isVimObject({ _type: 'OptionValue', key: 'k', value: 'v' })).toBe(true);
    expect(isVimObject(new Date())).toBe(false);
    expect(isVimObject([])).toBe(false);
  });
});
