/**
 * Text for rule findings: drug names, summaries within the spec's 140 characters, and descriptions of the chart
 * items a finding rests on. Chart text always goes through `md` (escaped); knowledge text through `kbText`.
 */
import { escapeMarkdown, md } from '../../findings/markdown.js';
import type { LabResult } from '../../clinical/types.js';
import { displayUnit } from '../../clinical/units.js';
import type { ResolvedMed } from './context.js';
import type { KnowledgeBase } from './knowledge.js';

const escapedKnowledge = new Map<string, string>();

/**
 * Knowledge-base text (mechanisms, advice, labels), escaped once and remembered: the set is small and fixed, and
 * escaping is the costliest step of building a finding. Never pass chart text here — use `md` for that.
 */
export function kbText(text: string): string {
  let escaped = escapedKnowledge.get(text);
  if (escaped === undefined) {
    escaped = escapeMarkdown(text);
    escapedKnowledge.set(text, escaped);
  }
  return escaped;
}

/** `warfarin` → `Warfarin` (summaries start with a drug name). */
export function drugName(kb: KnowledgeBase, ingredient: string): string {
  const name = kb.ingredients.get(ingredient)?.name ?? ingredient;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function lowerName(kb: KnowledgeBase, ingredient: string): string {
  return kb.ingredients.get(ingredient)?.name ?? ingredient;
}

/** `Warfarin` → `warfarin`, `QT drugs` stays: only the first letter of a sentence-initial word is lowered. */
export function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/** Card summaries must stay under 140 characters (CDS Hooks §card); ours are built short, this is the backstop. */
export function summaryOf(text: string): string {
  return text.length <= 139 ? text : `${text.slice(0, 138)}…`;
}

/** Shortens chart text for a summary line (plain text: control characters and line breaks become spaces). */
export function clip(text: string, max = 40): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * A medication or lab is described in every finding that rests on it, and escaping chart text is the costliest
 * part of a finding: each description is made once per rule run (the objects live as long as the run).
 */
const medDescriptions = new WeakMap<ResolvedMed, string>();
const labDescriptions = new WeakMap<LabResult, string>();

/** "Warfarin Sodium 5 MG Oral Tablet (MedicationRequest/abc, active order)" — chart text escaped. */
export function describeMed(rm: ResolvedMed): string {
  let described = medDescriptions.get(rm);
  if (described === undefined) {
    const origin = rm.reported
      ? 'reported by the patient'
      : rm.med.origin === 'draft'
        ? 'draft order'
        : 'active order';
    described = md`${rm.med.concept.text} (${rm.med.ref}, ${origin})`;
    medDescriptions.set(rm, described);
  }
  return described;
}

export function labDate(lab: LabResult): string {
  return lab.effective ? lab.effective.slice(0, 10) : 'unknown date';
}

/** "Potassium 5.9 mmol/L on 2026-11-20 (Observation/k1; reported as 5.9 mEq/L)". */
export function describeLab(lab: LabResult): string {
  let described = labDescriptions.get(lab);
  if (described === undefined) {
    described = labDescription(lab);
    labDescriptions.set(lab, described);
  }
  return described;
}

function labDescription(lab: LabResult): string {
  const reported =
    lab.originalUnit !== undefined && lab.originalUnit !== lab.unit
      ? md`; reported as ${lab.originalValue} ${lab.originalUnit}`
      : '';
  const unit = displayUnit(lab.unit);
  const value =
    lab.value !== undefined
      ? md`${lab.comparator ?? ''}${lab.value}${unit ? ` ${unit}` : ''}`
      : md`${lab.valueText ?? lab.valueCode ?? 'no value'}`;
  return md`${lab.concept.text} ` + value + md` on ${labDate(lab)} (${lab.ref}` + reported + ')';
}
