/** FHIR CodeableConcept → the normalized `Concept`: every coding kept, plus the best human text. */
import { asRecord, asRecords, asString, type JsonRecord } from './guards.js';
import type { Code, Concept } from './types.js';

/** One Coding as sent; a field of the wrong type is left out. */
function codeOf(coding: JsonRecord): Code {
  return { system: asString(coding.system), code: asString(coding.code), display: asString(coding.display) };
}

/** `cc`: a CodeableConcept as sent (anything that is not one gives a concept with no codings). */
export function conceptOf(cc: unknown, fallbackText?: string): Concept {
  const concept = asRecord(cc);
  const codings = asRecords(concept?.coding).map(codeOf);
  const text =
    asString(concept?.text)?.trim() ||
    codings.find((c) => c.display)?.display ||
    fallbackText?.trim() ||
    codings[0]?.code ||
    'unnamed';
  return { text, codings };
}

/** A concept known only by text (a reference's `display`, free text). */
export function textConcept(text: string): Concept {
  return { text, codings: [] };
}

/** The code from a status CodeableConcept (`clinicalStatus`, `verificationStatus`), lower-cased. */
export function statusCode(cc: unknown): string | undefined {
  const code = conceptOf(cc).codings.find((c) => c.code)?.code ?? asString(asRecord(cc)?.text);
  return code?.trim().toLowerCase() || undefined;
}

export function codeIn(concept: Concept, system: string): string | undefined {
  return concept.codings.find((c) => c.system === system && c.code)?.code;
}

/** Every human-readable string of a concept: its text and each coding's display. */
export function textsOf(concept: Concept): string[] {
  const texts = [concept.text];
  for (const c of concept.codings) if (c.display && c.display !== concept.text) texts.push(c.display);
  return texts;
}
