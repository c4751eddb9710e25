/**
 * Override reasons by their labels. The EHR sends back the coding a clinician picked, often without its
 * `display` (the spec requires only system and code); the safety team reads labels, so reasons from our own
 * code system get the label our cards offered them with. Reasons from other systems keep what was sent.
 */
import { MODEL_OVERRIDE_REASONS } from '../../advisors/model/findings.js';
import { OVERRIDE_REASON_SYSTEM, allOverrideReasons } from '../../advisors/rules/findingKinds.js';
import type { Coding } from '../../cds/types.js';

/** The first label a code was offered with (a code shared by several kinds of finding reads the same). */
const LABELS: ReadonlyMap<string, string> = (() => {
  const labels = new Map<string, string>();
  for (const reason of [...allOverrideReasons(), ...MODEL_OVERRIDE_REASONS]) {
    if (reason.system === OVERRIDE_REASON_SYSTEM && reason.display && !labels.has(reason.code))
      labels.set(reason.code, reason.display);
  }
  return labels;
})();

/** The label of one of our override reasons, when the EHR sent none. */
export function overrideReasonLabel(system: string | null, code: string | null): string | null {
  return system === OVERRIDE_REASON_SYSTEM && code !== null ? (LABELS.get(code) ?? null) : null;
}

export function labelled(reason: Coding): Coding {
  if (reason.display) return reason;
  const display = overrideReasonLabel(reason.system, reason.code);
  return display ? { ...reason, display } : reason;
}
