/** FHIR CodeableConcept → the normalized `Concept`: every coding kept, plus the best human text. */
import type { CodeableConcept } from 'fhir/r4.js';
import type { Code, Concept } from './types.js';

export function conceptOf(cc: CodeableConcept | undefined, fallbackText?: string): Concept {
  const codings: Code[] = (cc?.coding ?? []).map((c) => ({
    system: c.system,
    code: c.code,
    display: c.display,
  }));
  const text =
    cc?.text?.trim() ||
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
export function statusCode(cc: CodeableConcept | undefined): string | undefined {
  const code = cc?.coding?.find((c) => c.code)?.code ?? cc?.text;
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
