import { describe, expect, it } from '@jest/globals';
import { type FhirBaseUrl, normalizeBaseUrl, resolveUnderBase } from '../../../src/fhir/baseUrl.js';

function base(raw: string): FhirBaseUrl {
  const normalized = normalizeBaseUrl(raw);
  if (!normalized) throw new Error(`not a base: ${raw}`);
  return normalized;
}

describe('normalizeBaseUrl', () => {
  it('lower-cases the host, drops default ports, dot segments and trailing slashes', () => {
    expect(normalizeBaseUrl('HTTPS://Ehr.Example.org:443/a/./b/../fhir//')).toBe(
      'https://ehr.example.org/a/fhir',
    );
    expect(normalizeBaseUrl('https://ehr.example.org/fhir/%2e%2e/r4')).toBe('https://ehr.example.org/r4');
  });

  it.each([
    ['not a url', 'not a url'],
    ['another scheme', 'file:///etc/passwd'],
    ['a script', 'javascript:alert(1)'],
    ['gopher', 'gopher://h'],
    ['a query', 'https://h/x?q'],
    ['an empty query', 'https://ehr.example.org/fhir/r4?'],
    ['an empty fragment', 'https://ehr.example.org/fhir/r4#'],
    ['a fragment', 'https://ehr.example.org/fhir/r4#/../admin'],
    ['credentials', 'https://user:pw@ehr.example.org/fhir'],
    ['empty credentials', 'https://@ehr.example.org/fhir'],
    ['a backslash, which URL reads as a slash', 'https://ehr.example.org\\fhir'],
    ['a tab, which URL drops', 'https://ehr.example.org/fh\tir'],
    ['surrounding spaces, which URL trims', ' https://ehr.example.org/fhir '],
    ['an encoded slash', 'https://ehr.example.org/fhir%2Fr4'],
    ['an encoded backslash', 'https://ehr.example.org/fhir%5cr4'],
  ])('refuses %s', (_label, raw) => {
    expect(normalizeBaseUrl(raw)).toBeUndefined();
  });
});

describe('resolveUnderBase', () => {
  const fhir = base('http://127.0.0.1:8080/fhir');
  const root = base('http://127.0.0.1:8080');

  it.each([
    ['a read', fhir, 'Patient/alice', 'http://127.0.0.1:8080/fhir/Patient/alice'],
    [
      'a search with a system|code token',
      fhir,
      'Observation?code=http://loinc.org|33914-3',
      'http://127.0.0.1:8080/fhir/Observation?code=http://loinc.org|33914-3',
    ],
    [
      'an absolute next link, fragment dropped',
      fhir,
      'http://127.0.0.1:8080/fhir/Observation?page=2#top',
      'http://127.0.0.1:8080/fhir/Observation?page=2',
    ],
    [
      'an absolute-path link',
      fhir,
      '/fhir/Observation?page=2',
      'http://127.0.0.1:8080/fhir/Observation?page=2',
    ],
    ['upper-case scheme and host', fhir, 'HTTP://127.0.0.1:8080/fhir/x', 'http://127.0.0.1:8080/fhir/x'],
    ['any path under a root base', root, 'http://127.0.0.1:8080/anything', 'http://127.0.0.1:8080/anything'],
  ])('resolves %s to the URL to fetch', (_label, b, reference, expected) => {
    expect(resolveUnderBase(b, reference)).toBe(expected);
  });

  it.each([
    ['another host', fhir, 'http://127.0.0.2:8080/fhir/Observation'],
    ['another port', fhir, 'http://127.0.0.1:8081/fhir/Observation'],
    ['another scheme', fhir, 'https://127.0.0.1:8080/fhir/Observation'],
    ['a sibling path sharing the prefix', fhir, 'http://127.0.0.1:8080/fhir-admin/x'],
    ['dot segments climbing out', fhir, 'http://127.0.0.1:8080/fhir/../admin'],
    ['encoded dot segments climbing out', fhir, 'http://127.0.0.1:8080/fhir/%2e%2e/admin'],
    ['a relative climb', fhir, '../admin'],
    ['an encoded slash a server may decode', fhir, 'http://127.0.0.1:8080/fhir/..%2Fadmin'],
    ['an encoded backslash', fhir, 'http://127.0.0.1:8080/fhir/..%5cadmin'],
    ['a scheme-relative link to another host', fhir, '//127.0.0.2:8080/fhir/x'],
    ['http:/host, which is another host to a reader without the base', root, 'http:/127.0.0.2:8080/x'],
    ['http:/host under a path base', fhir, 'http:/127.0.0.2:8080/fhir/x'],
    ['a backslash', fhir, 'http://127.0.0.1:8080/fhir\\..\\admin'],
    ['a newline', fhir, 'http://127.0.0.1:8080/fhir/x\n'],
    ['another scheme altogether', fhir, 'file:///etc/passwd'],
  ])('refuses %s', (_label, b, reference) => {
    expect(resolveUnderBase(b, reference)).toBeUndefined();
  });
});
