/**
 * Loads the curated knowledge base (`knowledge/*.json`) once at start: each file is validated against its JSON
 * Schema (`schemas/knowledge/`), then every cross-reference (ingredient, class, source, lab ids) is checked, and
 * the tables are compiled into lookup indexes so a rule run is a handful of map lookups. Any problem stops the
 * start with a message naming the file and the JSON path: a safety net with a hole must not run.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../paths.js';
import { validate } from '../../validation.js';
import type {
  AllergyFile,
  AllergyRuleSpec,
  CombinationSpec,
  ConditionDefinition,
  ConditionSpec,
  DuplicateSpec,
  GeriatricFile,
  HighValueSpec,
  InteractionSpec,
  KnowledgeFiles,
  MaxDailyDoseSpec,
  ModifierSpec,
  MonitoringSpec,
  OrderableLab,
  PediatricDoseSpec,
  PediatricFile,
  PregnancyFile,
  ReductionCriteriaSpec,
  RenalSpec,
  SideSpec,
  TrendsFile,
  WeeklyDoseSpec,
} from './knowledgeFiles.js';
import { KNOWLEDGE_FILE_NAMES } from './knowledgeFiles.js';
import { NameIndex } from './nameIndex.js';

export const DEFAULT_KNOWLEDGE_DIR = path.join(PROJECT_ROOT, 'knowledge');

export class KnowledgeError extends Error {
  override readonly name = 'KnowledgeError';
  constructor(readonly problems: readonly string[]) {
    super(`knowledge base is invalid:\n${problems.map((p) => ` - ${p}`).join('\n')}`);
  }
}

export interface Ingredient {
  readonly id: string;
  readonly name: string;
  readonly rxcui: readonly string[];
  readonly classes: ReadonlySet<string>;
}

export interface Source {
  readonly id: string;
  readonly label: string;
  readonly url: string;
}

export interface DuplicateClass {
  readonly classId: string;
  readonly label: string;
  readonly spec: DuplicateSpec;
}

/** A rule whose drug side has been expanded to the set of ingredient ids it covers. */
export interface Expanded<T> {
  readonly spec: T;
  readonly drugs: ReadonlySet<string>;
}

export interface Alternative {
  readonly replaces: ReadonlySet<string>;
  readonly with: string;
}

/** A population rule with its drug side expanded (pregnancy, children, older adults). */
export type PopulationRule<T> = Expanded<T>;

export interface KnowledgeBase {
  /** Short content hash of the files: which knowledge produced a finding. */
  readonly version: string;
  readonly ingredients: ReadonlyMap<string, Ingredient>;
  readonly byRxcui: ReadonlyMap<string, string>;
  /** RxNorm product codes (SCD, SBD, packs) → the knowledge ingredients they contain. */
  readonly products: ReadonlyMap<string, readonly string[]>;
  /** Ingredients whose skin or mucosal forms act systemically (nitroglycerin ointment). */
  readonly topicalIsSystemic: ReadonlySet<string>;
  readonly drugNames: NameIndex;
  readonly allergenNames: NameIndex;
  readonly sources: ReadonlyMap<string, Source>;
  readonly classLabels: ReadonlyMap<string, string>;
  readonly classMembers: ReadonlyMap<string, ReadonlySet<string>>;
  readonly interactionsByPair: ReadonlyMap<string, readonly InteractionSpec[]>;
  readonly duplicatesByPair: ReadonlyMap<string, readonly DuplicateClass[]>;
  readonly sameIngredient: DuplicateSpec;
  readonly allergyDirect: AllergyRuleSpec;
  readonly allergyClassRules: ReadonlyMap<string, AllergyRuleSpec & { readonly class: string }>;
  readonly crossSensitivities: readonly Expanded<
    AllergyRuleSpec & { readonly id: string; readonly allergyClass: string }
  >[];
  readonly renal: ReadonlyMap<string, RenalSpec>;
  readonly highValue: readonly Expanded<HighValueSpec>[];
  readonly modifiers: ReadonlyMap<string, ModifierSpec>;
  readonly monitoring: readonly Expanded<MonitoringSpec>[];
  readonly conditionDefinitions: ReadonlyMap<string, ConditionDefinition>;
  readonly conditions: readonly Expanded<ConditionSpec>[];
  readonly combinations: readonly {
    readonly spec: CombinationSpec;
    readonly sides: readonly ReadonlySet<string>[];
  }[];
  readonly allergyReading: Pick<AllergyFile, 'reactionKinds' | 'intolerance' | 'penicillinLowRisk'>;
  /** Side-chain groups each beta-lactam belongs to. */
  readonly sideChains: ReadonlyMap<string, ReadonlySet<string>>;
  readonly pregnancyStatus: PregnancyFile['status'];
  readonly pregnancy: readonly PopulationRule<PregnancyFile['rules'][number]>[];
  readonly pediatric: readonly PopulationRule<PediatricFile['rules'][number]>[];
  readonly geriatricMinAge: number;
  readonly geriatric: readonly PopulationRule<GeriatricFile['rules'][number]>[];
  readonly maxDailyDose: ReadonlyMap<string, MaxDailyDoseSpec>;
  readonly weeklyDose: ReadonlyMap<string, WeeklyDoseSpec>;
  readonly pediatricDose: ReadonlyMap<string, PediatricDoseSpec>;
  readonly reductionCriteria: ReadonlyMap<string, ReductionCriteriaSpec>;
  readonly orderable: ReadonlyMap<string, OrderableLab>;
  /** Alternatives per interaction or condition id. */
  readonly alternatives: ReadonlyMap<string, readonly Alternative[]>;
  /** `when` sides of interaction monitoring, expanded. */
  readonly monitorWhen: ReadonlyMap<string, ReadonlySet<string>>;
  /** The longitudinal rules (`trends.json`), drug sides expanded. */
  readonly trends: Trends;
}

type Spec<T> = Omit<T, 'drugs' | 'drug'>;
type OverdueSpec = TrendsFile['monitoringOverdue'][number];

export interface Trends {
  readonly egfrDecline: Expanded<Spec<TrendsFile['egfrDecline']>>;
  readonly aki: Expanded<Spec<TrendsFile['aki']>>;
  readonly potassiumRise: Expanded<Spec<TrendsFile['potassiumRise']>>;
  readonly hemoglobinDrop: Expanded<Spec<TrendsFile['hemoglobinDrop']>>;
  readonly undiagnosedDiabetes: TrendsFile['undiagnosedDiabetes'];
  /** Each entry with the drugs it covers (empty for a condition's entry). */
  readonly monitoringOverdue: readonly Expanded<Spec<OverdueSpec>>[];
}

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function readFiles(dir: string, problems: string[]): { files: KnowledgeFiles; version: string } | undefined {
  const hash = createHash('sha256');
  const files: Record<string, unknown> = {};
  for (const name of KNOWLEDGE_FILE_NAMES) {
    const file = path.join(dir, `${name}.json`);
    let data: unknown;
    try {
      const text = readFileSync(file, 'utf8');
      hash.update(text);
      data = JSON.parse(text);
    } catch (error) {
      problems.push(`knowledge/${name}.json: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const result = validate(`knowledge/${name}`, data);
    if (!result.valid) {
      for (const e of result.errors) problems.push(`knowledge/${name}.json ${e.path}: ${e.message}`);
      continue;
    }
    files[name] = data;
  }
  return problems.length > 0
    ? undefined
    : { files: files as unknown as KnowledgeFiles, version: hash.digest('hex').slice(0, 12) };
}

/** Cross-reference checks and index building; problems are collected, never thrown one by one. */
class Compiler {
  readonly problems: string[] = [];
  readonly ingredients = new Map<string, Ingredient>();
  readonly classMembers = new Map<string, Set<string>>();
  readonly sources = new Map<string, Source>();
  readonly orderable = new Map<string, OrderableLab>();
  readonly modifiers = new Map<string, ModifierSpec>();

  constructor(readonly files: KnowledgeFiles) {
    for (const s of files.sources.sources) this.unique(this.sources, s.id, s, 'sources.json', 'source');
    for (const c of files.classes.classes) {
      if (this.classMembers.has(c.id)) this.problems.push(`classes.json: duplicate class id "${c.id}"`);
      this.classMembers.set(c.id, new Set());
    }
    for (const ing of files.drugs.ingredients) {
      this.unique(
        this.ingredients,
        ing.id,
        { ...ing, classes: new Set(ing.classes) },
        'drugs.json',
        'ingredient',
      );
      for (const c of ing.classes) this.classMember(c, ing.id, `drugs.json ingredient "${ing.id}"`);
    }
    for (const lab of files.labs.orderable)
      this.unique(this.orderable, lab.id, lab, 'labs.json', 'orderable lab');
    for (const m of files.labs.modifiers) this.unique(this.modifiers, m.id, m, 'labs.json', 'modifier');
  }

  unique<T>(map: Map<string, T>, id: string, value: T, file: string, what: string): void {
    if (map.has(id)) this.problems.push(`${file}: duplicate ${what} id "${id}"`);
    map.set(id, value);
  }

  private classMember(classId: string, ingredient: string, where: string): void {
    const members = this.classMembers.get(classId);
    if (members) members.add(ingredient);
    else this.problems.push(`${where}: unknown class "${classId}"`);
  }

  source(id: string, where: string): void {
    if (!this.sources.has(id)) this.problems.push(`${where}: unknown source "${id}"`);
  }

  sourcesOf(entry: { readonly source: string; readonly alsoSee?: readonly string[] }, where: string): void {
    this.source(entry.source, where);
    for (const s of entry.alsoSee ?? []) this.source(s, where);
  }

  ingredient(id: string, where: string): void {
    if (!this.ingredients.has(id)) this.problems.push(`${where}: unknown ingredient "${id}"`);
  }

  expand(side: SideSpec, where: string): Set<string> {
    const out = new Set<string>();
    for (const c of side.classes ?? []) {
      const members = this.classMembers.get(c);
      if (!members) this.problems.push(`${where}: unknown class "${c}"`);
      for (const m of members ?? []) out.add(m);
    }
    for (const i of side.ingredients ?? []) {
      this.ingredient(i, where);
      out.add(i);
    }
    for (const e of side.except ?? []) {
      this.ingredient(e, where);
      out.delete(e);
    }
    if (out.size === 0) this.problems.push(`${where}: matches no ingredient`);
    return out;
  }
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function compileInteractions(c: Compiler): {
  byPair: Map<string, InteractionSpec[]>;
  monitorWhen: Map<string, ReadonlySet<string>>;
} {
  const byPair = new Map<string, InteractionSpec[]>();
  const monitorWhen = new Map<string, ReadonlySet<string>>();
  const seen = new Set<string>();
  c.files.interactions.interactions.forEach((spec, i) => {
    const where = `interactions.json /interactions/${i} (${spec.id})`;
    if (seen.has(spec.id)) c.problems.push(`${where}: duplicate id`);
    seen.add(spec.id);
    c.sourcesOf(spec, where);
    const a = c.expand(spec.a, `${where} a`);
    const b = c.expand(spec.b, `${where} b`);
    for (const x of a) for (const y of b) if (x !== y) addTo(byPair, pairKey(x, y), spec);
    for (const m of spec.labContext ?? [])
      if (!c.modifiers.has(m)) c.problems.push(`${where}: unknown lab modifier "${m}"`);
    if (spec.monitor) {
      if (!c.orderable.has(spec.monitor.lab))
        c.problems.push(`${where}: unknown orderable lab "${spec.monitor.lab}"`);
      if (spec.monitor.when) monitorWhen.set(spec.id, c.expand(spec.monitor.when, `${where} monitor.when`));
    }
  });
  // A pair matched by several entries (e.g. aspirin as NSAID and antiplatelet) is listed once per entry.
  for (const [key, list] of byPair) byPair.set(key, [...new Set(list)]);
  return { byPair, monitorWhen };
}

function compileDuplicates(c: Compiler): Map<string, DuplicateClass[]> {
  const byPair = new Map<string, DuplicateClass[]>();
  c.sourcesOf(c.files.classes.sameIngredient, 'classes.json /sameIngredient');
  for (const cls of c.files.classes.classes) {
    if (!cls.duplicate) continue;
    c.sourcesOf(cls.duplicate, `classes.json class "${cls.id}" duplicate`);
    for (const m of cls.duplicate.labContext ?? []) {
      if (!c.modifiers.has(m))
        c.problems.push(`classes.json class "${cls.id}" duplicate: unknown lab modifier "${m}"`);
    }
    for (const e of cls.duplicate.except ?? [])
      c.ingredient(e, `classes.json class "${cls.id}" duplicate.except`);
    const members = [...(c.classMembers.get(cls.id) ?? [])].filter(
      (m) => !cls.duplicate?.except?.includes(m),
    );
    for (let i = 0; i < members.length; i++)
      for (let j = i + 1; j < members.length; j++)
        addTo(byPair, pairKey(members[i] as string, members[j] as string), {
          classId: cls.id,
          label: cls.label,
          spec: cls.duplicate,
        });
  }
  return byPair;
}

function compileAlternatives(
  c: Compiler,
  entries: readonly {
    readonly id: string;
    readonly alternatives?: readonly { replaces: SideSpec; with: string }[];
  }[],
  file: string,
  into: Map<string, Alternative[]>,
): void {
  for (const e of entries) {
    if (!e.alternatives) continue;
    into.set(
      e.id,
      e.alternatives.map((alt) => {
        c.ingredient(alt.with, `${file} (${e.id}) alternative`);
        return { replaces: c.expand(alt.replaces, `${file} (${e.id}) alternative.replaces`), with: alt.with };
      }),
    );
  }
}

function compile(files: KnowledgeFiles, version: string): KnowledgeBase | KnowledgeError {
  const c = new Compiler(files);
  c.source(files.drugs.source, 'drugs.json /source');

  const byRxcui = new Map<string, string>();
  const drugNames = new NameIndex();
  const names = new Map<string, string>();
  for (const ing of files.drugs.ingredients) {
    for (const code of ing.rxcui) {
      const other = byRxcui.get(code);
      if (other) c.problems.push(`drugs.json: RXCUI ${code} is listed for both "${other}" and "${ing.id}"`);
      byRxcui.set(code, ing.id);
    }
    const own = names.get(ing.name);
    if (own && own !== ing.id)
      c.problems.push(`drugs.json: name "${ing.name}" is used by "${own}" and "${ing.id}"`);
    names.set(ing.name, ing.id);
    drugNames.add(ing.name, ing.id);
    // Brand names may map to several ingredients (a combination product): each is listed under each ingredient.
    for (const s of ing.synonyms) drugNames.add(s, ing.id);
  }

  const interactions = compileInteractions(c);
  const duplicatesByPair = compileDuplicates(c);

  const allergenNames = new NameIndex();
  for (const a of files.allergy.allergenNames) {
    for (const cls of a.classes) {
      if (!c.classMembers.has(cls))
        c.problems.push(`allergy.json allergen name "${a.name}": unknown class "${cls}"`);
      allergenNames.add(a.name, cls);
    }
  }
  c.sourcesOf(files.allergy.direct, 'allergy.json /direct');
  const allergyClassRules = new Map<string, AllergyRuleSpec & { readonly class: string }>();
  for (const rule of files.allergy.classRules) {
    if (!c.classMembers.has(rule.class))
      c.problems.push(`allergy.json class rule: unknown class "${rule.class}"`);
    c.sourcesOf(rule, `allergy.json class rule "${rule.class}"`);
    allergyClassRules.set(rule.class, rule);
  }
  const crossSensitivities = files.allergy.crossSensitivities.map((spec) => {
    const where = `allergy.json cross-sensitivity "${spec.id}"`;
    if (!c.classMembers.has(spec.allergyClass))
      c.problems.push(`${where}: unknown class "${spec.allergyClass}"`);
    c.sourcesOf(spec, where);
    return { spec, drugs: c.expand(spec.drug, where) };
  });

  const conditionDefinitions = new Map<string, ConditionDefinition>();
  for (const d of files.conditions.definitions)
    c.unique(conditionDefinitions, d.id, d, 'conditions.json', 'condition definition');
  const condition = (id: string | undefined, where: string): void => {
    if (id !== undefined && !conditionDefinitions.has(id))
      c.problems.push(`${where}: unknown condition "${id}"`);
  };

  const renal = new Map<string, RenalSpec>();
  for (const rule of files.renal.rules) {
    const where = `renal.json rule "${rule.id}"`;
    c.sourcesOf(rule, where);
    rule.bands.forEach((band, i) => {
      if ((band.below === undefined) === (band.above === undefined))
        c.problems.push(`${where} band ${i}: give exactly one of "below" and "above"`);
      condition(band.condition, `${where} band ${i}`);
    });
    // Bands below a limit, lowest first, then bands above one, highest first: the most severe band that applies wins.
    const bands = [...rule.bands].sort(
      (x, y) => (x.below ?? Infinity) - (y.below ?? Infinity) || (y.above ?? 0) - (x.above ?? 0),
    );
    for (const ingredient of c.expand(rule.drug, where)) {
      if (renal.has(ingredient)) c.problems.push(`${where}: a second renal rule for "${ingredient}"`);
      renal.set(ingredient, { ...rule, bands });
    }
  }

  const highValue = files.labs.highValueRules.map((spec) => {
    const where = `labs.json rule "${spec.id}"`;
    c.sourcesOf(spec, where);
    // Highest threshold first, for the same reason.
    return {
      spec: { ...spec, bands: [...spec.bands].sort((x, y) => y.above - x.above) },
      drugs: c.expand(spec.drugs, where),
    };
  });
  for (const m of files.labs.modifiers) {
    const where = `labs.json modifier "${m.id}"`;
    c.source(m.source, where);
    if ((m.above === undefined) === (m.below === undefined))
      c.problems.push(`${where}: give exactly one of "above" and "below"`);
    if (m.raiseTo === 'critical' && m.contraindication !== true)
      c.problems.push(`${where}: raising to critical needs "contraindication": true`);
  }

  const monitoring = files.monitoring.rules.map((spec) => {
    const where = `monitoring.json rule "${spec.id}"`;
    c.sourcesOf(spec, where);
    if (!c.orderable.has(spec.order)) c.problems.push(`${where}: unknown orderable lab "${spec.order}"`);
    return { spec, drugs: c.expand(spec.drug, where) };
  });

  const trendEntry = <T extends { id: string; source: string; order: string; alsoSee?: readonly string[] }>(
    spec: T,
    side: SideSpec | undefined,
  ): Expanded<T> => {
    const where = `trends.json rule "${spec.id}"`;
    c.sourcesOf(spec, where);
    if (!c.orderable.has(spec.order)) c.problems.push(`${where}: unknown orderable lab "${spec.order}"`);
    return { spec, drugs: side ? c.expand(side, where) : new Set() };
  };
  const t = files.trends;
  condition(t.undiagnosedDiabetes.condition, `trends.json rule "${t.undiagnosedDiabetes.id}"`);
  trendEntry(t.undiagnosedDiabetes, undefined);
  const trends: Trends = {
    egfrDecline: trendEntry(t.egfrDecline, t.egfrDecline.drugs),
    aki: trendEntry(t.aki, t.aki.drugs),
    potassiumRise: trendEntry(t.potassiumRise, t.potassiumRise.drugs),
    hemoglobinDrop: trendEntry(t.hemoglobinDrop, t.hemoglobinDrop.drugs),
    undiagnosedDiabetes: t.undiagnosedDiabetes,
    monitoringOverdue: t.monitoringOverdue.map((spec) => {
      condition(spec.condition, `trends.json rule "${spec.id}"`);
      return trendEntry(spec, spec.drug);
    }),
  };

  const conditions = files.conditions.rules.map((spec) => {
    const where = `conditions.json rule "${spec.id}"`;
    c.sourcesOf(spec, where);
    condition(spec.condition, where);
    return { spec, drugs: c.expand(spec.drug, where) };
  });
  for (const spec of files.interactions.interactions) {
    condition(spec.guidelineTherapy?.condition, `interactions.json (${spec.id}) guidelineTherapy`);
    for (const id of spec.raiseWhen?.conditions ?? [])
      condition(id, `interactions.json (${spec.id}) raiseWhen`);
  }
  const combinations = files.interactions.combinations.map((spec) => {
    const where = `interactions.json combination "${spec.id}"`;
    c.sourcesOf(spec, where);
    for (const m of spec.labContext ?? [])
      if (!c.modifiers.has(m)) c.problems.push(`${where}: unknown lab modifier "${m}"`);
    return { spec, sides: spec.sides.map((side, i) => c.expand(side, `${where} side ${i}`)) };
  });

  const population = <
    T extends {
      id: string;
      drug: SideSpec;
      source: string;
      alsoSee?: readonly string[];
      unlessConditions?: readonly string[];
    },
  >(
    file: string,
    rules: readonly T[],
  ): Expanded<T>[] =>
    rules.map((spec) => {
      const where = `${file} rule "${spec.id}"`;
      c.sourcesOf(spec, where);
      for (const id of spec.unlessConditions ?? []) condition(id, where);
      return { spec, drugs: c.expand(spec.drug, where) };
    });
  const pregnancy = population('pregnancy.json', files.pregnancy.rules);
  for (const [kind, status] of Object.entries(files.pregnancy.status)) {
    condition(status.condition, `pregnancy.json status "${kind}"`);
    c.source(status.source, `pregnancy.json status "${kind}"`);
  }
  const pediatric = population('pediatric.json', files.pediatric.rules);
  for (const r of files.pediatric.rules) condition(r.condition, `pediatric.json rule "${r.id}"`);
  const geriatric = population('geriatric.json', files.geriatric.rules);

  const doseTable = <
    T extends { id: string; ingredient: string; source: string; alsoSee?: readonly string[] },
  >(
    what: string,
    specs: readonly T[],
  ): Map<string, T> => {
    const map = new Map<string, T>();
    for (const spec of specs) {
      const where = `dosing.json ${what} "${spec.id}"`;
      c.ingredient(spec.ingredient, where);
      c.sourcesOf(spec, where);
      if (map.has(spec.ingredient))
        c.problems.push(`${where}: a second ${what} entry for "${spec.ingredient}"`);
      map.set(spec.ingredient, spec);
    }
    return map;
  };
  const maxDailyDose = doseTable('maxDaily', files.dosing.maxDaily);
  const weeklyDose = doseTable('weekly', files.dosing.weekly);
  const pediatricDose = doseTable('pediatric', files.dosing.pediatric);
  const reductionCriteria = doseTable('reductionCriteria', files.dosing.reductionCriteria);

  const sideChains = new Map<string, Set<string>>();
  for (const group of files.allergy.sideChainGroups) {
    const where = `allergy.json side-chain group "${group.id}"`;
    c.source(group.source, where);
    for (const i of group.ingredients) {
      c.ingredient(i, where);
      const groups = sideChains.get(i) ?? new Set<string>();
      groups.add(group.id);
      sideChains.set(i, groups);
    }
  }
  c.sourcesOf(files.allergy.intolerance, 'allergy.json /intolerance');
  c.sourcesOf(files.allergy.penicillinLowRisk, 'allergy.json /penicillinLowRisk');

  c.source(files.products.source, 'products.json /source');
  const products = new Map<string, readonly string[]>();
  for (const product of files.products.products) {
    const where = `products.json product ${product.rxcui} (${product.name})`;
    for (const i of product.ingredients) c.ingredient(i, where);
    if (products.has(product.rxcui) || byRxcui.has(product.rxcui))
      c.problems.push(`${where}: RXCUI ${product.rxcui} is listed twice`);
    products.set(product.rxcui, product.ingredients);
  }
  const topicalIsSystemic = new Set(
    files.drugs.ingredients.filter((i) => i.topicalIsSystemic === true).map((i) => i.id),
  );

  const alternatives = new Map<string, Alternative[]>();
  compileAlternatives(c, files.interactions.interactions, 'interactions.json', alternatives);
  compileAlternatives(c, files.conditions.rules, 'conditions.json', alternatives);

  if (c.problems.length > 0) return new KnowledgeError(c.problems);
  return {
    version,
    ingredients: c.ingredients,
    byRxcui,
    drugNames,
    allergenNames,
    sources: c.sources,
    classLabels: new Map(files.classes.classes.map((cls) => [cls.id, cls.label])),
    classMembers: c.classMembers,
    interactionsByPair: interactions.byPair,
    duplicatesByPair,
    sameIngredient: files.classes.sameIngredient,
    allergyDirect: files.allergy.direct,
    allergyClassRules,
    crossSensitivities,
    renal,
    highValue,
    modifiers: c.modifiers,
    monitoring,
    conditionDefinitions,
    conditions,
    combinations,
    allergyReading: {
      reactionKinds: files.allergy.reactionKinds,
      intolerance: files.allergy.intolerance,
      penicillinLowRisk: files.allergy.penicillinLowRisk,
    },
    sideChains,
    pregnancyStatus: files.pregnancy.status,
    pregnancy,
    pediatric,
    geriatricMinAge: files.geriatric.minAge,
    geriatric,
    maxDailyDose,
    weeklyDose,
    pediatricDose,
    reductionCriteria,
    products,
    topicalIsSystemic,
    orderable: c.orderable,
    alternatives,
    monitorWhen: interactions.monitorWhen,
    trends,
  };
}

/** Loads and checks the knowledge base; the error lists every problem found, with file and path. */
export function loadKnowledge(dir: string = DEFAULT_KNOWLEDGE_DIR): KnowledgeBase | KnowledgeError {
  const problems: string[] = [];
  const read = readFiles(dir, problems);
  if (!read) return new KnowledgeError(problems);
  return compile(read.files, read.version);
}
