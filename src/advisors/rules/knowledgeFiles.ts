/**
 * The shapes of the curated knowledge files in `knowledge/*.json`, mirroring `schemas/knowledge/*.schema.json`
 * (a unit test validates every file against its schema, and the loader refuses files that do not match).
 */
import type { Severity } from '../types.js';
import type { Analyte } from '../../clinical/units.js';

export interface SideSpec {
  readonly classes?: readonly string[];
  readonly ingredients?: readonly string[];
  readonly except?: readonly string[];
}

/** What every rule entry carries: how serious, whether a label contraindication, and where it comes from. */
export interface Graded {
  readonly severity: Severity;
  readonly contraindication?: boolean;
  readonly source: string;
  readonly alsoSee?: readonly string[];
}

export interface AlternativeSpec {
  readonly replaces: SideSpec;
  readonly with: string;
}

export interface SourcesFile {
  readonly sources: readonly { readonly id: string; readonly label: string; readonly url: string }[];
}

export interface DrugsFile {
  readonly source: string;
  readonly ingredients: readonly {
    readonly id: string;
    readonly name: string;
    readonly rxcui: readonly string[];
    readonly synonyms: readonly string[];
    readonly classes: readonly string[];
  }[];
}

export interface DuplicateSpec extends Graded {
  readonly effect: string;
  readonly rationale: string;
  readonly management: string;
  readonly labContext?: readonly string[];
}

export interface ClassesFile {
  readonly sameIngredient: DuplicateSpec;
  readonly classes: readonly {
    readonly id: string;
    readonly label: string;
    readonly duplicate?: DuplicateSpec;
  }[];
}

export interface InteractionSpec extends Graded {
  readonly id: string;
  readonly a: SideSpec;
  readonly b: SideSpec;
  readonly effect: string;
  readonly mechanism: string;
  readonly management: string;
  readonly labContext?: readonly string[];
  readonly alternatives?: readonly AlternativeSpec[];
  readonly monitor?: { readonly lab: string; readonly when?: SideSpec };
}

export interface InteractionsFile {
  readonly interactions: readonly InteractionSpec[];
}

export interface AllergyRuleSpec extends Graded {
  readonly rationale: string;
  readonly management: string;
}

export interface AllergyFile {
  readonly allergenNames: readonly { readonly name: string; readonly classes: readonly string[] }[];
  readonly direct: AllergyRuleSpec;
  readonly classRules: readonly (AllergyRuleSpec & { readonly class: string })[];
  readonly crossSensitivities: readonly (AllergyRuleSpec & {
    readonly id: string;
    readonly allergyClass: string;
    readonly drug: SideSpec;
  })[];
}

export interface BandSpec {
  readonly severity: Severity;
  readonly contraindication?: boolean;
  readonly inclusive?: boolean;
  readonly advice: string;
}

export interface RenalSpec {
  readonly id: string;
  readonly ingredient: string;
  readonly metric: 'egfr' | 'crcl';
  readonly bands: readonly (BandSpec & { readonly below: number })[];
  readonly source: string;
  readonly alsoSee?: readonly string[];
}

export interface RenalFile {
  readonly rules: readonly RenalSpec[];
}

export interface HighValueSpec {
  readonly id: string;
  readonly analyte: Analyte;
  readonly maxAgeDays: number;
  readonly drugs: SideSpec;
  readonly bands: readonly (BandSpec & { readonly above: number })[];
  readonly effect: string;
  readonly source: string;
  readonly alsoSee?: readonly string[];
}

export interface ModifierSpec {
  readonly id: string;
  readonly analyte: Analyte;
  readonly above: number;
  readonly maxAgeDays: number;
  readonly raiseTo: 'info' | 'warning';
  readonly note: string;
  readonly source: string;
}

export interface OrderableLab {
  readonly id: string;
  readonly loinc: string;
  readonly display: string;
}

export interface LabsFile {
  readonly orderable: readonly OrderableLab[];
  readonly highValueRules: readonly HighValueSpec[];
  readonly modifiers: readonly ModifierSpec[];
}

export interface MonitoringSpec extends Graded {
  readonly id: string;
  readonly drug: SideSpec;
  readonly analyte: Analyte;
  readonly withinDays: number;
  readonly order: string;
  readonly effect: string;
  readonly rationale: string;
}

export interface MonitoringFile {
  readonly rules: readonly MonitoringSpec[];
}

export interface ConditionSpec extends Graded {
  readonly id: string;
  readonly drug: SideSpec;
  readonly condition: {
    readonly id: string;
    readonly label: string;
    readonly snomed?: readonly string[];
    readonly icd10Prefixes?: readonly string[];
    readonly names: readonly string[];
  };
  readonly effect: string;
  readonly rationale: string;
  readonly management: string;
  readonly alternatives?: readonly AlternativeSpec[];
}

export interface ConditionsFile {
  readonly rules: readonly ConditionSpec[];
}

export interface KnowledgeFiles {
  readonly sources: SourcesFile;
  readonly drugs: DrugsFile;
  readonly classes: ClassesFile;
  readonly interactions: InteractionsFile;
  readonly allergy: AllergyFile;
  readonly renal: RenalFile;
  readonly labs: LabsFile;
  readonly monitoring: MonitoringFile;
  readonly conditions: ConditionsFile;
}

export const KNOWLEDGE_FILE_NAMES = [
  'sources',
  'drugs',
  'classes',
  'interactions',
  'allergy',
  'renal',
  'labs',
  'monitoring',
  'conditions',
] as const satisfies readonly (keyof KnowledgeFiles)[];
