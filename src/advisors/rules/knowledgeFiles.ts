/**
 * The shapes of the curated knowledge files in `knowledge/*.json`, mirroring `schemas/knowledge/*.schema.json`
 * (a unit test validates every file against its schema, and the loader refuses files that do not match).
 */
import type { Severity } from '../../findings/types.js';
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
    /** Its skin or mucosal forms act systemically (nitroglycerin ointment treats angina): never "non-systemic". */
    readonly topicalIsSystemic?: boolean;
  }[];
}

/** RxNorm clinical and branded drugs (SCD, SBD, packs) of the knowledge base's ingredients. */
export interface ProductsFile {
  readonly source: string;
  readonly products: readonly {
    readonly rxcui: string;
    readonly tty: 'SCD' | 'SBD' | 'GPCK' | 'BPCK';
    readonly name: string;
    readonly ingredients: readonly string[];
  }[];
}

export interface DuplicateSpec extends Graded {
  readonly effect: string;
  readonly rationale: string;
  readonly management: string;
  readonly labContext?: readonly string[];
  /** Members of the class never counted as its duplicates (low-dose aspirin is an antiplatelet, not an NSAID). */
  readonly except?: readonly string[];
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
  /**
   * The pair is recommended therapy in this condition (ACE inhibitor with spironolactone in heart failure): with the
   * condition on the problem list the finding starts at this severity, and lab modifiers may still raise it.
   */
  readonly guidelineTherapy?: {
    readonly condition: string;
    readonly severity: 'info' | 'warning';
    readonly note: string;
  };
  /** Patient risk factors (an age, conditions) that raise the finding (gabapentinoid + opioid at 65 or with COPD). */
  readonly raiseWhen?: {
    readonly minAge?: number;
    readonly conditions?: readonly string[];
    readonly severity: 'warning';
    readonly note: string;
  };
}

/** Three drug groups that together cause harm none of the pairs is known for (NSAID + ACE inhibitor + diuretic). */
export interface CombinationSpec extends Graded {
  readonly id: string;
  readonly sides: readonly SideSpec[];
  readonly effect: string;
  readonly mechanism: string;
  readonly management: string;
  readonly labContext?: readonly string[];
}

export interface InteractionsFile {
  readonly interactions: readonly InteractionSpec[];
  readonly combinations: readonly CombinationSpec[];
}

export interface AllergyRuleSpec extends Graded {
  readonly rationale: string;
  readonly management: string;
  /**
   * Severity when the drug shares no side chain (`sideChainGroups`) with the specific drug the patient reacted to
   * (or, for a class-level allergy, with any member of the class): beta-lactam cross-reactivity follows side chains.
   */
  readonly dissimilarSideChain?: 'info' | 'warning';
}

/** Reaction words and codes that say how an allergy record should be read. */
export interface ReactionKindSpec {
  readonly names: readonly string[];
  readonly snomed: readonly string[];
}

export interface SideChainGroup {
  readonly id: string;
  readonly chain: 'R1' | 'R2';
  readonly label: string;
  readonly ingredients: readonly string[];
  readonly source: string;
}

/** How a kind of allergy record is graded, whatever rule matched it. */
export interface AllergyReadingSpec {
  readonly severity: Severity;
  readonly rationale: string;
  readonly management: string;
  readonly source: string;
  readonly alsoSee?: readonly string[];
}

export interface AllergyFile {
  readonly allergenNames: readonly { readonly name: string; readonly classes: readonly string[] }[];
  /** severe: anaphylaxis, angioedema, SJS/TEN…; nonImmune: nausea, headache…; benign: isolated rash or itching. */
  readonly reactionKinds: {
    readonly severe: ReactionKindSpec;
    readonly nonImmune: ReactionKindSpec;
    readonly benign: ReactionKindSpec;
  };
  /** A non-immune intolerance (nausea…): at most this, and no cross-sensitivity. */
  readonly intolerance: AllergyReadingSpec & { readonly severity: 'info' };
  /** A low-risk penicillin history (benign rash or itching, low criticality): this, with de-labelling advice. */
  readonly penicillinLowRisk: AllergyReadingSpec & { readonly severity: 'warning' };
  readonly sideChainGroups: readonly SideChainGroup[];
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

/** What the label says to do in a kidney-function band; it words the card ("Avoid", "Reduce the dose"…). */
export type RenalAction = 'contraindicated' | 'avoid' | 'reduce-dose' | 'review';

export interface RenalBandSpec extends BandSpec {
  /** The band holds below this value (or at or below it with `inclusive`)… */
  readonly below?: number;
  /** …or above it (edoxaban in atrial fibrillation above a CrCl of 95). */
  readonly above?: number;
  readonly action: RenalAction;
  /** The label's largest daily dose in this band (mg/day): a structured dose within it is already adjusted. */
  readonly maxDailyMg?: number;
  /** The band applies only with this condition on the problem list (a dose for atrial fibrillation). */
  readonly condition?: string;
  /** Severity for a new order when starting differs from continuing (metformin: not started below 45, continued). */
  readonly startSeverity?: Severity;
}

export interface RenalSpec {
  readonly id: string;
  readonly drug: SideSpec;
  readonly metric: 'egfr' | 'crcl';
  readonly bands: readonly RenalBandSpec[];
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
  /** The modifier holds when the latest value is above `above` or below `below` (one of the two is given). */
  readonly above?: number;
  readonly below?: number;
  readonly maxAgeDays: number;
  /** `critical` only where the label contraindicates the combination in this state (`contraindication`). */
  readonly raiseTo: Severity;
  readonly contraindication?: boolean;
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

/** A problem as charts record it: by SNOMED CT, ICD-10 prefix, or name (whole words), minus excluded names. */
export interface ConditionDefinition {
  readonly id: string;
  readonly label: string;
  readonly snomed?: readonly string[];
  readonly icd10Prefixes?: readonly string[];
  readonly names: readonly string[];
  /** A problem whose text contains one of these is not this condition ("history of pregnancy"). */
  readonly excludeNames?: readonly string[];
}

export interface ConditionSpec extends Graded {
  readonly id: string;
  readonly drug: SideSpec;
  /** A condition id from `definitions`. */
  readonly condition: string;
  readonly effect: string;
  readonly rationale: string;
  readonly management: string;
  readonly alternatives?: readonly AlternativeSpec[];
  /** Stay quiet when a renal rule already speaks for this drug (its kidney band is the more precise finding). */
  readonly deferToRenal?: boolean;
}

export interface ConditionsFile {
  readonly definitions: readonly ConditionDefinition[];
  readonly rules: readonly ConditionSpec[];
}

/** A drug a population should avoid or use with care: pregnancy, lactation, children, older adults. */
export interface PopulationRuleSpec extends Graded {
  readonly id: string;
  readonly drug: SideSpec;
  readonly effect: string;
  readonly rationale: string;
  readonly management: string;
  readonly alternatives?: readonly AlternativeSpec[];
  /** With one of these conditions the rule is quieter (`unlessSeverity`, or silent when not given). */
  readonly unlessConditions?: readonly string[];
  readonly unlessSeverity?: 'info' | 'warning';
}

/** What says a patient is pregnant (or breastfeeding) beyond the problem list. */
export interface StatusEvidenceSpec {
  /** A condition id from conditions.json definitions. */
  readonly condition: string;
  /** Status observations (LOINC) and the SNOMED CT answers that mean yes or no. */
  readonly statusObservation: {
    readonly loinc: readonly string[];
    readonly yes: readonly string[];
    readonly no: readonly string[];
  };
  /** Qualitative tests (hCG): LOINC codes, and coded or written results that mean positive or negative. */
  readonly tests?: {
    readonly loinc: readonly string[];
    readonly positive: readonly string[];
    readonly negative: readonly string[];
  };
  /** Evidence older than this cannot still hold (a pregnancy lasts at most about 42 weeks). */
  readonly maxAgeDays: number;
  readonly source: string;
}

export interface PregnancyFile {
  readonly status: { readonly pregnancy: StatusEvidenceSpec; readonly lactation: StatusEvidenceSpec };
  readonly rules: readonly (PopulationRuleSpec & { readonly population: 'pregnancy' | 'lactation' })[];
}

export interface PediatricFile {
  readonly rules: readonly (PopulationRuleSpec & {
    /** The rule holds below this age in whole years. */
    readonly belowAge: number;
    /** …and only with this condition (aspirin with a viral illness). */
    readonly condition?: string;
  })[];
}

export interface GeriatricFile {
  /** Quiet below this age. */
  readonly minAge: number;
  /** `severity` applies to new orders; a drug the patient already takes is reviewed at `info` (deprescribing). */
  readonly rules: readonly (PopulationRuleSpec & {
    readonly severity: 'info' | 'warning';
    /** Only a new order is reviewed (Beers: avoid *starting* it). */
    readonly newOrdersOnly?: boolean;
    /** Only a drug the patient already takes is reviewed (Beers: avoid *chronic* use). */
    readonly takenOnly?: boolean;
  })[];
}

export interface MaxDailyDoseSpec {
  readonly id: string;
  readonly ingredient: string;
  readonly maxMgPerDay: number;
  /** A lower ceiling from this age on (citalopram 20 mg/day over 60). */
  readonly fromAge?: { readonly age: number; readonly maxMgPerDay: number };
  readonly source: string;
  readonly alsoSee?: readonly string[];
}

export interface WeeklyDoseSpec {
  readonly id: string;
  readonly ingredient: string;
  /** More administrations than this in a week means it was ordered daily, not weekly. */
  readonly maxAdministrationsPerWeek: number;
  readonly severity: 'warning';
  readonly rationale: string;
  readonly management: string;
  readonly source: string;
}

export interface PediatricDoseSpec {
  readonly id: string;
  readonly ingredient: string;
  readonly belowAge: number;
  readonly maxMgPerKgPerDay: number;
  /** Never more than the adult ceiling, whatever the weight. */
  readonly maxMgPerDay: number;
  readonly source: string;
}

/** A labelled dose reduction when enough patient criteria are met (apixaban: 2 of age, weight, creatinine). */
export interface ReductionCriteriaSpec {
  readonly id: string;
  readonly ingredient: string;
  readonly criteria: {
    readonly minAge?: number;
    readonly maxWeightKg?: number;
    readonly minCreatinineMgDl?: number;
  };
  readonly minMet: number;
  /** The reduced dose per administration (mg). */
  readonly reducedDoseMg: number;
  readonly severity: 'warning';
  readonly rationale: string;
  readonly management: string;
  readonly source: string;
}

export interface DosingFile {
  readonly maxDaily: readonly MaxDailyDoseSpec[];
  readonly weekly: readonly WeeklyDoseSpec[];
  readonly pediatric: readonly PediatricDoseSpec[];
  readonly reductionCriteria: readonly ReductionCriteriaSpec[];
}

export interface KnowledgeFiles {
  readonly sources: SourcesFile;
  readonly drugs: DrugsFile;
  readonly products: ProductsFile;
  readonly classes: ClassesFile;
  readonly interactions: InteractionsFile;
  readonly allergy: AllergyFile;
  readonly renal: RenalFile;
  readonly labs: LabsFile;
  readonly monitoring: MonitoringFile;
  readonly conditions: ConditionsFile;
  readonly pregnancy: PregnancyFile;
  readonly pediatric: PediatricFile;
  readonly geriatric: GeriatricFile;
  readonly dosing: DosingFile;
  readonly trends: TrendsFile;
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
  'products',
  'pregnancy',
  'pediatric',
  'geriatric',
  'dosing',
  'trends',
] as const satisfies readonly (keyof KnowledgeFiles)[];

/** What a longitudinal entry states, as every rule does: severity, source, the words of its card. */
interface TrendEntry extends Graded {
  readonly id: string;
  readonly effect: string;
  readonly rationale: string;
  /** The orderable lab (`labs.json`) a card offers to order. */
  readonly order: string;
}

export interface TrendsFile {
  /** KDIGO 2012 CKD 2.1.3–2.1.4: a certain drift or rapid progression of eGFR over years. */
  readonly egfrDecline: TrendEntry & {
    readonly windowDays: number;
    readonly minSpanDays: number;
    readonly minResults: number;
    readonly maxAgeDays: number;
    readonly percentDrop: number;
    readonly declinePerYear: number;
    /** Drafts that make the decline matter at order time (NSAIDs, ACE inhibitors, ARBs, metformin). */
    readonly drugs: SideSpec;
  };
  /** KDIGO 2012 AKI 2.1.1: creatinine up by 26.5 µmol/L within 48 h, or to 1.5 × baseline within 7 days. */
  readonly aki: TrendEntry & {
    readonly maxAgeDays: number;
    readonly riseUmolL: number;
    readonly riseWithinHours: number;
    readonly ratio: number;
    readonly ratioWithinDays: number;
    readonly drugs: SideSpec;
  };
  /** A steady potassium rise on a drug that raises it, while still at or below the lab rules' threshold. */
  readonly potassiumRise: TrendEntry & {
    readonly windowDays: number;
    readonly maxAgeDays: number;
    readonly minResults: number;
    readonly riseMmolL: number;
    readonly atLeast: number;
    readonly atMost: number;
    readonly drugs: SideSpec;
  };
  /** A haemoglobin fall of 2 g/dL or more (ISTH major-bleeding criterion) on an anticoagulant or antiplatelet. */
  readonly hemoglobinDrop: TrendEntry & {
    readonly windowDays: number;
    readonly maxAgeDays: number;
    readonly dropGdL: number;
    readonly drugs: SideSpec;
  };
  /** ADA Standards of Care, section 2: HbA1c at or above 6.5 % with no diabetes on the problem list. */
  readonly undiagnosedDiabetes: TrendEntry & {
    readonly threshold: number;
    readonly maxAgeDays: number;
    readonly condition: string;
  };
  /** A lab the drug or the problem needs at an interval, measured before but not within it. */
  readonly monitoringOverdue: readonly (TrendEntry & {
    readonly analyte: 'potassium' | 'egfr' | 'hba1c' | 'hemoglobin';
    /** Results that also count as the check (a creatinine counts for eGFR: the lab reports one with the other). */
    readonly alsoCounts?: readonly ('creatinine' | 'egfr')[];
    readonly intervalDays: number;
    readonly drug?: SideSpec;
    readonly condition?: string;
  })[];
}
