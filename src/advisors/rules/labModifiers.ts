/**
 * Lab modifiers (`labs.json`): a recent lab value that makes a combination matter more — an INR already high, a
 * potassium above 5, an eGFR below 30 — adds its result as evidence and raises the finding's severity floor.
 * eGFR is read as the renal assessment gives it (measured, or CKD-EPI 2021 from creatinine).
 */
import { md } from '../../findings/markdown.js';
import type { LabResult } from '../../clinical/types.js';
import { describeLab, kbText } from './cardText.js';
import type { RuleContext } from './context.js';
import type { ModifierSpec } from './knowledgeFiles.js';

export interface ModifierHit {
  readonly modifier: ModifierSpec;
  readonly evidence: readonly LabResult[];
  /** A markdown paragraph for the card. */
  readonly line: string;
}

function holds(modifier: ModifierSpec, value: number): boolean {
  if (modifier.above !== undefined) return value > modifier.above;
  return modifier.below !== undefined && value < modifier.below;
}

export function modifierHits(ctx: RuleContext, ids: Iterable<string>): ModifierHit[] {
  const hits: ModifierHit[] = [];
  for (const id of new Set(ids)) {
    const modifier = ctx.kb.modifiers.get(id);
    if (!modifier) continue;
    if (modifier.analyte === 'egfr') {
      const egfr = ctx.renal().egfr;
      if (egfr && holds(modifier, egfr.value)) {
        const how = egfr.basis === 'measured' ? 'reported by the lab' : egfr.method;
        hits.push({
          modifier,
          evidence: egfr.evidence,
          line:
            md`**Lab:** eGFR ${egfr.comparator ?? ''}${egfr.value} mL/min/1.73 m² (${how}). ` +
            kbText(modifier.note),
        });
      }
      continue;
    }
    const lab = ctx.latest(modifier.analyte, modifier.maxAgeDays);
    if (lab?.value !== undefined && holds(modifier, lab.value))
      hits.push({
        modifier,
        evidence: [lab],
        line: `**Lab:** ${describeLab(lab)}. ${kbText(modifier.note)}`,
      });
  }
  return hits;
}
