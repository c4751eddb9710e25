/** The model advisor's public face: what the app and the admin API use. */
export { DEFAULT_MODEL_ADVISOR_OPTIONS, ModelAdvisor } from './advisor.js';
export { createModelAdvisor } from './create.js';
export type { ModelAdvisorDeps, ModelAdvisorOptions } from './options.js';
export { InMemoryAiSwitch } from './aiSwitch.js';
export type { AiSwitch } from './aiSwitch.js';
export { AIAST_LABEL, MODEL_OVERRIDE_REASONS, modelSourceLabel } from './findings.js';
export { PROMPT_VERSION } from './prompt.js';
export { knowledgeVocabulary } from './vocabulary.js';
export type { DrugVocabulary } from './keys.js';
